"""Procure: collaborative procurement experiments for groups of public bodies.

The application is built by :func:`procure.app.create_app`; importing a model, service or
read model never imports views, routes or the PDF renderer.
"""
