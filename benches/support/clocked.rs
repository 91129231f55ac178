//! A ratatui backend for the keypress-to-frame benches: a `TestBackend` that timestamps each
//! flush and hands what the flushed frame shows (read by the bench's own [`Seen`]) to a watch
//! channel, so a bench can wait for the first frame that shows a key's effect.

use std::time::{Duration, Instant};

use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::{Position, Size};

/// What a bench reads off a flushed frame.
pub trait Seen: Clone + Default + Send + Sync + 'static {
    /// Reads the frame in `buffer`, the `count`th flushed, at `at`.
    fn read(buffer: &Buffer, count: u64, at: Instant) -> Self;
    /// How many frames were flushed up to this one.
    fn count(&self) -> u64;
}

/// The backend.
pub struct Clocked<S: Seen> {
    inner: TestBackend,
    frames: tokio::sync::watch::Sender<S>,
}

impl<S: Seen> Clocked<S> {
    /// A `width` × `height` screen reporting to `frames`.
    pub fn new(width: u16, height: u16, frames: tokio::sync::watch::Sender<S>) -> Self {
        Self {
            inner: TestBackend::new(width, height),
            frames,
        }
    }
}

impl<S: Seen> Backend for Clocked<S> {
    type Error = <TestBackend as Backend>::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.inner.draw(content)
    }
    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor()
    }
    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()
    }
    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(position)
    }
    fn clear(&mut self) -> Result<(), Self::Error> {
        self.inner.clear()
    }
    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.inner.clear_region(clear_type)
    }
    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }
    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush()?;
        let at = Instant::now();
        let count = self.frames.borrow().count() + 1;
        self.frames
            .send_replace(S::read(self.inner.buffer(), count, at));
        Ok(())
    }
}

/// Waits until a flushed frame satisfies `done` (generous timeout: the machine is shared).
pub async fn until<S: Seen>(
    frames: &mut tokio::sync::watch::Receiver<S>,
    what: &str,
    done: impl Fn(&S) -> bool,
) -> S {
    let waited = tokio::time::timeout(Duration::from_secs(600), frames.wait_for(|f| done(f)))
        .await
        .unwrap_or_else(|_| panic!("no frame showed {what} within 10 minutes"));
    waited.expect("the event loop ended").clone()
}

/// The text of row `y` of `buffer`, and its cells.
pub fn row(buffer: &Buffer, y: u16) -> (String, Vec<&Cell>) {
    let width = buffer.area.width;
    let cells: Vec<&Cell> = (0..width).filter_map(|x| buffer.cell((x, y))).collect();
    let text = cells.iter().map(|c| c.symbol()).collect();
    (text, cells)
}

/// A key press event with no modifiers.
pub fn key(code: crossterm::event::KeyCode) -> std::io::Result<crossterm::event::Event> {
    Ok(crossterm::event::Event::Key(
        crossterm::event::KeyEvent::new(code, crossterm::event::KeyModifiers::NONE),
    ))
}

/// Latency percentile `q` (0..=1) of sorted `latencies`.
pub fn percentile(latencies: &[Duration], q: f64) -> Duration {
    latencies[((latencies.len() as f64 * q).ceil() as usize).clamp(1, latencies.len()) - 1]
}
