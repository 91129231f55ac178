//! A multi-line text being typed: the commit editor's message, a pull request comment or
//! description. Plain data with the editing moves; the overlays that hold one decide what
//! submit does.

/// Lines of text and a cursor.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TextArea {
    /// The lines.
    pub lines: Vec<String>,
    /// Cursor line.
    pub row: usize,
    /// Cursor column, in characters.
    pub col: usize,
}

impl TextArea {
    /// The text as one string.
    pub fn message(&self) -> String {
        self.lines.join("\n")
    }

    /// Inserts a character (or a line break) at the cursor.
    pub fn insert(&mut self, c: char) {
        if self.lines.is_empty() {
            self.lines.push(String::new());
        }
        let line = &mut self.lines[self.row];
        let at = line
            .char_indices()
            .nth(self.col)
            .map(|(i, _)| i)
            .unwrap_or(line.len());
        if c == '\n' {
            let rest = line.split_off(at);
            self.lines.insert(self.row + 1, rest);
            self.row += 1;
            self.col = 0;
        } else {
            line.insert(at, c);
            self.col += 1;
        }
    }

    /// Deletes the character before the cursor (joining lines at a line start).
    pub fn backspace(&mut self) {
        if self.col > 0 {
            let line = &mut self.lines[self.row];
            if let Some((at, _)) = line.char_indices().nth(self.col - 1) {
                line.remove(at);
                self.col -= 1;
            }
        } else if self.row > 0 {
            let line = self.lines.remove(self.row);
            self.row -= 1;
            self.col = self.lines[self.row].chars().count();
            self.lines[self.row].push_str(&line);
        }
    }

    /// Moves the cursor by lines or characters, staying inside the text.
    pub fn move_cursor(&mut self, rows: isize, cols: isize) {
        if self.lines.is_empty() {
            return;
        }
        let row = (self.row as isize + rows).clamp(0, self.lines.len() as isize - 1) as usize;
        self.row = row;
        let len = self.lines[row].chars().count() as isize;
        self.col = (self.col as isize + cols).clamp(0, len) as usize;
    }

    /// A text area holding `text`, the cursor at its end.
    pub fn with_text(text: &str) -> TextArea {
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        let row = lines.len().saturating_sub(1);
        let col = lines.last().map(|l| l.chars().count()).unwrap_or(0);
        TextArea { lines, row, col }
    }

    /// Nothing but whitespace.
    pub fn is_blank(&self) -> bool {
        self.lines.iter().all(|l| l.trim().is_empty())
    }
}
