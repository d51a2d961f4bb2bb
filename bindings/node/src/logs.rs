//! The library's warnings on standard error: a `log` logger (sqlx's and the library's
//! `tracing` events reach it, `tracing` being built with its `log` feature and no
//! subscriber set) writing records at `WARN` and above as one line each,
//! `lms WARN sqlx::query: slow statement: …`. Installed by the first `Lms.connect`.

struct ToStderr;

impl log::Log for ToStderr {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Warn
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            let message = record.args().to_string().replace('\n', " ");
            eprintln!("lms {} {}: {message}", record.level(), record.target());
        }
    }

    fn flush(&self) {}
}

static LOGGER: ToStderr = ToStderr;

/// Installs the logger, unless the process has a `log` logger already.
pub fn install() {
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Warn);
    }
}
