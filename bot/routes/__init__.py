"""HTTP routes: platform webhooks, the web chat, health and metrics."""
