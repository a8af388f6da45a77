//! `--help` of every command, pinned: the help text is the CLI's contract with its users, and a
//! refactor of the option groups must not change it.

use crate::util::{bin, run};

#[test]
fn help_of_every_command_is_pinned() {
    for command in ["", "report", "run", "backfill", "push", "check-config", "fit-reference", "fixtures"] {
        let mut cmd = bin();
        if !command.is_empty() {
            cmd.arg(command);
        }
        let (code, stdout, stderr) = run(cmd.arg("--help"));
        assert_eq!(code, 0, "{stderr}");
        let name = if command.is_empty() { "top".to_owned() } else { command.replace('-', "_") };
        insta::assert_snapshot!(format!("help_{name}"), stdout);
    }
}
