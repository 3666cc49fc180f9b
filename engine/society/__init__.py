"""Society: the ledger and the economy, councils and votes, the grapevine; one ``Society`` joins them."""
