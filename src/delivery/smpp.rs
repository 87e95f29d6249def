//! SMPP 3.4 (placeholder, being written).
