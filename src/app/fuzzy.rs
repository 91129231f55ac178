//! A small fuzzy matcher for the palette, pickers and filters: the query's characters must appear
//! in order (case-insensitive); consecutive runs and word starts score higher.

/// Scores `text` against `query`; `None` when it does not match. Higher is better.
pub fn score(query: &str, text: &str) -> Option<i64> {
    if query.is_empty() {
        return Some(0);
    }
    let text: Vec<char> = text.chars().collect();
    let mut score = 0i64;
    let mut position = 0usize;
    let mut previous: Option<usize> = None;
    for wanted in query.chars().filter(|c| !c.is_whitespace()) {
        let wanted = wanted.to_lowercase().next().unwrap_or(wanted);
        let found =
            (position..text.len()).find(|&i| text[i].to_lowercase().next() == Some(wanted))?;
        score += 1;
        if previous.is_some_and(|p| p + 1 == found) {
            score += 5;
        }
        if found == 0 || !text[found - 1].is_alphanumeric() {
            score += 3;
        }
        score -= (found - position).min(10) as i64 / 3;
        previous = Some(found);
        position = found + 1;
    }
    Some(score)
}

#[cfg(test)]
mod tests {
    use super::score;

    #[test]
    fn matches_in_order_only() {
        assert!(score("qt", "Quit cctui").is_some());
        assert!(score("tq", "Quit cctui").is_none());
        assert_eq!(score("", "anything"), Some(0));
    }

    #[test]
    fn prefers_word_starts_and_runs() {
        let run = score("help", "Show help").unwrap_or(i64::MIN);
        let scattered = score("help", "cHangE Linked Path").unwrap_or(i64::MIN);
        assert!(run > scattered, "{run} <= {scattered}");
    }
}
