"""The web platform: pages, the JSON API and the public portal over one store."""
