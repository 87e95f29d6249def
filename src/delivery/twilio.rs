//! Twilio Messages API (placeholder, being written).
