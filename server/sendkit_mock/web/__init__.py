"""The only package that knows about connexion, flask and starlette.

connexion 3 imports jsonschema's deprecated `RefResolver` when it is first imported, which raises under a user's
`pytest -W error`: the warning is connexion's, not the user's, so connexion is imported here, before any module of
this package, with that one warning ignored (nothing else is filtered, and no filter outlives the import).
"""

import warnings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", r"jsonschema\.RefResolver", DeprecationWarning)
    warnings.filterwarnings("ignore", r"jsonschema\.exceptions\.RefResolutionError", DeprecationWarning)
    import connexion  # noqa: F401
