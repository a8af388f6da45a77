//! The printer every command writes its data through, as uv's `Printer`: it owns the command's
//! stdout and whether colour may be used on it, and turns every failed write into the
//! [`OutputError`] that names where it went (`<stdout>`, or the output path). Where an output
//! path writes is [`crate::output`]'s one rule: the printer writes by it ([`Output::write`]),
//! with this stdout as the rule's stdout. Logs and progress go to stderr, never through here.

use std::io::{IsTerminal, StdoutLock, Write};

use crate::output::{Output, OutputError};

/// A command's stdout and how text on it may look.
pub struct Printer<'a> {
    stdout: &'a mut dyn Write,
    color: bool,
}

impl<'a> Printer<'a> {
    /// A printer over `stdout`; `color` whether text on it may be coloured.
    #[must_use]
    pub fn new(stdout: &'a mut dyn Write, color: bool) -> Self {
        Self { stdout, color }
    }

    /// The process's stdout: coloured when it is a terminal and `NO_COLOR` is not set.
    #[must_use]
    pub fn stdout(stdout: &'a mut StdoutLock<'static>) -> Self {
        let color = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Self::new(stdout, color)
    }

    /// Writes `text` to stdout: data the user may pipe (a summary, the exposition text).
    ///
    /// # Errors
    /// [`OutputError::Write`] naming `<stdout>`.
    pub fn print(&mut self, text: &str) -> Result<(), OutputError> {
        self.stdout.write_all(text.as_bytes()).and_then(|()| self.stdout.flush()).map_err(|e| OutputError::stdout(&e))
    }

    /// Writes `bytes` whole to `output`, by the rule of [`crate::output`] (its stdout is this
    /// printer's).
    ///
    /// # Errors
    /// [`OutputError::Write`] naming the path as given.
    pub fn write(&mut self, output: &Output, bytes: &[u8]) -> Result<(), OutputError> {
        output.write(self.stdout, bytes)
    }

    /// Whether text written to `output` may be coloured: it goes to this printer's stdout, and
    /// that may be coloured.
    #[must_use]
    pub fn color(&self, output: &Output) -> bool {
        self.color && output.is_stdout()
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;
    use crate::output::Inputs;

    /// A stdout whose every write fails, as a closed pipe's or a full disk's.
    struct Broken;

    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::new(io::ErrorKind::BrokenPipe, "broken pipe"))
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn data_goes_to_stdout_and_a_failure_names_it() {
        let mut out = Vec::new();
        let mut printer = Printer::new(&mut out, false);
        printer.print("one\n").unwrap();
        printer.write(&Output::stdout(), b"two\n").unwrap();
        assert_eq!(out, b"one\ntwo\n");
        let mut broken = Broken;
        let err = Printer::new(&mut broken, false).print("x").unwrap_err();
        assert_eq!(err.to_string(), "failed to write <stdout>: broken pipe");
        let err = Printer::new(&mut broken, false).write(&Output::stdout(), b"x").unwrap_err();
        assert_eq!(err.to_string(), "failed to write <stdout>: broken pipe");
    }

    #[test]
    fn colour_only_on_a_colourable_stdout() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let file =
            Output::resolve(&std::env::temp_dir().join("nepse-drift-printer-test.txt"), &Inputs::none()).unwrap();
        assert!(Printer::new(&mut a, true).color(&Output::stdout()));
        assert!(!Printer::new(&mut a, true).color(&file));
        assert!(!Printer::new(&mut b, false).color(&Output::stdout()));
    }
}
