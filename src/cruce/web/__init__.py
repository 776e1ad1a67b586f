"""cruce's web app: server-rendered pages in English and Spanish (Jinja2, htmx where it helps).

Reading works without JavaScript; htmx only spares a reload. See :mod:`cruce.web.app`.
"""
