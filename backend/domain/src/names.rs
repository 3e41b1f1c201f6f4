//! File names people see: characters that change how a name is *displayed* without being
//! visible themselves. A bidirectional override can make `rapport\u{202E}fdp.exe` read as
//! `rapportexe.pdf`; zero-width characters make two different names look the same. Uploads
//! replace them, and a tool's output files that carry them are not kept.

/// Bidirectional marks, embeddings, overrides and isolates, and zero-width characters.
pub fn is_deceptive(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_controls_and_zero_width_characters_are_deceptive() {
        for c in ['\u{202E}', '\u{202D}', '\u{2066}', '\u{2069}', '\u{200B}', '\u{200F}', '\u{061C}', '\u{FEFF}'] {
            assert!(is_deceptive(c), "{:?}", c);
        }
        for c in ['a', 'ö', 'Ä', ' ', '-', '日', '\u{05D0}'] {
            assert!(!is_deceptive(c), "{c:?}");
        }
    }
}
