//! Small pieces of SQL text that several of the store's files build their statements from.

/// `$start, $start+1, …` for an IN list of `n` values.
pub(super) fn placeholders(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
