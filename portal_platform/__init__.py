"""Django project wiring and the control plane's cross-tenant services.

Named ``portal_platform`` rather than the design card's ``platform``: the standard library already
has a module called ``platform`` (``uuid`` imports it, and Django imports ``uuid``), so a top-level
package of that name would shadow it and break the interpreter.
"""
