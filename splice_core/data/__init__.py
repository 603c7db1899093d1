"""The library's data: reading and fetching it, sequence contexts, the oligo template, splits, the noise floor, published figures, PWMs and sites."""
