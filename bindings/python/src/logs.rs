//! The library's warnings in Python's `logging`: a `log` logger (sqlx's and the
//! library's `tracing` events reach it, `tracing` being built with its `log` feature and
//! no subscriber set) forwarding records at `WARNING` and above to the logger
//! `lms.<target>` (`::` as `.`), e.g. `lms.sqlx.query` for a slow statement.

use pyo3::prelude::*;

struct ToPython;

impl log::Log for ToPython {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Warn
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let level = match record.level() {
            log::Level::Error => 40,
            _ => 30,
        };
        let name = format!("lms.{}", record.target().replace("::", "."));
        let message = record.args().to_string();
        // a record from any thread: with the interpreter's lock, and never a panic into
        // the caller (an interpreter shutting down takes no more records)
        let _ = std::panic::catch_unwind(|| {
            Python::attach(|py| {
                let _ = (|| -> PyResult<()> {
                    let logger = py
                        .import("logging")?
                        .call_method1("getLogger", (name.as_str(),))?;
                    logger.call_method1("log", (level, message.as_str()))?;
                    Ok(())
                })();
            })
        });
    }

    fn flush(&self) {}
}

static LOGGER: ToPython = ToPython;

/// Installs the forwarding, unless the process has a `log` logger already.
pub fn install() {
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Warn);
    }
}
