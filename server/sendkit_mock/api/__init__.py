"""Thin handlers: take what connexion unpacked, call the domain, shape SendKit's envelope."""
