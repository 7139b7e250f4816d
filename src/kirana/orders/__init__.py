"""Cart, pricing (fees, coupons, tip), checkout, the order state machine, store operations."""
