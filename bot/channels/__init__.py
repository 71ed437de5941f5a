"""One adapter per channel: webhook payloads in, platform calls out."""
