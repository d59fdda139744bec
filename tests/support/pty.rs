//! Running the real `ucam` binary in a pseudo-terminal: what it draws is kept
//! as a screen (through a VT100 parser) and as the raw bytes it wrote.

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// How long any wait for the screen or the process may take.
pub const DEADLINE: Duration = Duration::from_secs(20);

fn size(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).expect("a non-zero terminal size")
}

/// One `ucam` process on its own terminal.
pub struct PtySession {
    child: Box<dyn Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
    keys: Box<dyn Write + Send>,
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    reader: Option<JoinHandle<()>>,
}

/// A `ucam` command for a pty with a clean environment: only what the test
/// gives, plus HOME, the data and config dirs and TERM.
pub fn ucam_command(home: &Path, args: &[&str]) -> CommandBuilder {
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_ucam"));
    command.args(args);
    command.env_clear();
    command.cwd(home);
    command.env("HOME", home);
    command.env("UCAM_DATA_DIR", home.join("data"));
    command.env("UCAM_CONFIG_DIR", home.join("config"));
    command.env("TERM", "xterm-256color");
    command.env("PATH", "/usr/bin:/bin");
    command
}

impl PtySession {
    /// Starts the command on a `cols` x `rows` terminal.
    pub fn spawn(command: CommandBuilder, cols: u16, rows: u16) -> Self {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let child = pty.slave.spawn_command(command).expect("spawn ucam");
        drop(pty.slave);

        let parser = Arc::new(Mutex::new(vt100::Parser::new(size(rows), size(cols), 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut output = pty.master.try_clone_reader().expect("pty reader");
        let (screen, record) = (Arc::clone(&parser), Arc::clone(&raw));
        let reader = std::thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            while let Ok(read) = output.read(&mut buffer) {
                if read == 0 {
                    break;
                }
                record
                    .lock()
                    .expect("raw lock")
                    .extend_from_slice(&buffer[..read]);
                screen.lock().expect("screen lock").process(&buffer[..read]);
            }
        });
        let keys = pty.master.take_writer().expect("pty writer");

        Self {
            child,
            master: pty.master,
            keys,
            parser,
            raw,
            reader: Some(reader),
        }
    }

    /// What the terminal shows now.
    pub fn screen(&self) -> String {
        self.parser.lock().expect("screen lock").screen().contents()
    }

    /// Every byte the process has written so far.
    pub fn raw_output(&self) -> Vec<u8> {
        self.raw.lock().expect("raw lock").clone()
    }

    /// Waits until the screen shows `text`, or fails with what it shows.
    pub fn wait_for(&self, text: &str) -> String {
        let started = Instant::now();
        loop {
            let contents = self.screen();
            if contents.contains(text) {
                return contents;
            }
            assert!(
                started.elapsed() < DEADLINE,
                "the screen never showed {text:?}; it shows:\n{contents}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Types bytes as one key press. A short pause after each lets the
    /// program read keys one at a time, as they arrive from a person.
    pub fn press(&mut self, bytes: &[u8]) {
        self.keys.write_all(bytes).expect("type into the pty");
        self.keys.flush().expect("flush the pty");
        std::thread::sleep(Duration::from_millis(30));
    }

    /// Types each character of `text` as its own key press.
    pub fn type_text(&mut self, text: &str) {
        let mut buffer = [0u8; 4];
        for c in text.chars() {
            self.press(c.encode_utf8(&mut buffer).as_bytes());
        }
    }

    /// Waits for the process to end and returns its exit code.
    pub fn wait_exit(&mut self) -> u32 {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("poll ucam") {
                return status.exit_code();
            }
            assert!(
                started.elapsed() < DEADLINE,
                "ucam did not exit; the screen shows:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits for the exit, then for the last of the output (the reader ends
    /// when the terminal's other side closes with the process).
    pub fn finish(&mut self) -> (u32, Vec<u8>) {
        let code = self.wait_exit();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        (code, self.raw_output())
    }

    /// The process id of ucam, to send it signals.
    pub fn process_id(&self) -> u32 {
        self.child.process_id().expect("ucam's process id")
    }

    /// Whether the terminal is back in its normal line mode (echo and line
    /// editing on), as a shell expects it after ucam exits.
    pub fn terminal_is_cooked(&self) -> bool {
        let fd = self.master.as_raw_fd().expect("the pty's descriptor");
        // SAFETY: `termios` is plain data that tcgetattr fills in; `fd` is the
        // open master side of this session's pty.
        let mut termios: libc::termios = unsafe { std::mem::zeroed() };
        let read = unsafe { libc::tcgetattr(fd, &mut termios) };
        assert_eq!(read, 0, "tcgetattr on the pty failed");
        termios.c_lflag & libc::ICANON != 0 && termios.c_lflag & libc::ECHO != 0
    }

    /// Resizes the terminal, as a window manager would.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize the pty");
        self.parser
            .lock()
            .expect("screen lock")
            .set_size(size(rows), size(cols));
    }
}

impl Drop for PtySession {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
}
