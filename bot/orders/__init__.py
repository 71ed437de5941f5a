"""Orders after the sale: the order record, seller commands, couriers, tracking, CSV, webhook."""
