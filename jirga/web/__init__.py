"""The web app: REST API and analysts' pages (see docs/web.md)."""
