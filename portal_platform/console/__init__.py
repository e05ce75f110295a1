"""The console's provisioning screens (console host, public schema): portals, requests, jobs, pool.

Thin views over ``provisioning.services``: a Django form parses what the operator typed, the service
decides, and an ``ApplicationError`` is shown on the form with nothing the operator typed lost.
"""
