//! Africas Talking bulk SMS (placeholder, being written).
