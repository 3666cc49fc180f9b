"""Society: relationships now; the economy and governance hang here later."""
