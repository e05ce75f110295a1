"""Provisioning models — public schema (control plane).

Empty for now: provisioning requests, jobs, the spare-schema pool and the backup catalogue arrive
with the provisioning and backup issues.
"""
