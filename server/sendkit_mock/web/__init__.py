"""The only package that knows about connexion, flask and starlette."""
