//! The crate's modules import one another without a cycle: a unit test over the sources of
//! `src/` (test code included).
//!
//! A module is a file (`drift/mod.rs` is `drift`). An edge `a → b` is any path in `a` (in a
//! `use` tree or inline; comments and literals left out) that names `b` or an item in it:
//! `crate::…`, `super::…` (the `super` of an inline `mod tests` is its file), or a child's name
//! (`pub use child::Item` in a `mod.rs` is an edge to `child`, so an import through a
//! re-export is seen as the cycle it makes). Declaring a child (`pub mod child;`) is no edge.
//! `IMPORT_EDGES=1 cargo test import_cycles -- --nocapture` prints every edge.
//!
//! Why by hand: `syn` (with its `full` and `visit` features) would parse the files, but it is a
//! second build of a large crate for one test, and a path's edge still needs the resolution
//! rules above; no crate computes a crate's module import graph from source.

use std::collections::BTreeMap;
use std::path::Path;

type Module = Vec<String>;

/// Every module under `dir` and its source, `prefix` its parent's path.
fn modules(dir: &Path, prefix: &[String], out: &mut BTreeMap<Module, String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            let mut child = prefix.to_vec();
            child.push(name);
            modules(&path, &child, out);
        } else if path.extension().is_some_and(|e| e == "rs") && name != "main" {
            let mut module = prefix.to_vec();
            if name != "mod" && name != "lib" {
                module.push(name);
            }
            out.insert(module, std::fs::read_to_string(&path).unwrap());
        }
    }
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `source` with its comments, string literals and character literals blanked out.
fn code_only(source: &str) -> Vec<char> {
    let s: Vec<char> = source.chars().collect();
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    let at = |i: usize, text: &str| s[i..].iter().take(text.len()).copied().eq(text.chars());
    while i < s.len() {
        let before_ident = i > 0 && is_ident(s[i - 1]);
        if at(i, "//") {
            while i < s.len() && s[i] != '\n' {
                i += 1;
            }
        } else if at(i, "/*") {
            i += 2;
            while i < s.len() && !at(i, "*/") {
                i += 1;
            }
            i += 2;
        } else if s[i] == 'r' && !before_ident && (at(i + 1, "\"") || at(i + 1, "#\"") || at(i + 1, "##\"")) {
            // A raw string: r"…", r#"…"#, r##"…"##.
            let hashes = s[i + 1..].iter().take_while(|c| **c == '#').count();
            let close: String = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
            i += 2 + hashes;
            while i < s.len() && !at(i, &close) {
                i += 1;
            }
            i += close.len();
            out.push(' ');
        } else if s[i] == '"' {
            i += 1;
            while i < s.len() && s[i] != '"' {
                i += if s[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push(' ');
        } else if s[i] == '\'' && (at(i + 1, "\\") || s.get(i + 2) == Some(&'\'')) {
            // A character literal ('x', '\n', '\u{..}'), not a lifetime.
            i += 2;
            while i < s.len() && s[i] != '\'' {
                i += 1;
            }
            i += 1;
            out.push(' ');
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    out
}

/// The paths of a use tree (or a plain path) at `pos`, e.g. `super::{a::B, c}` →
/// `super::a::B`, `super::c`; the tree ends at the first character that cannot continue it.
fn paths(s: &[char], pos: &mut usize) -> Vec<Vec<String>> {
    let skip = |pos: &mut usize| {
        while *pos < s.len() && s[*pos].is_whitespace() {
            *pos += 1;
        }
    };
    let mut path = Vec::new();
    loop {
        skip(pos);
        if s.get(*pos) == Some(&'{') {
            *pos += 1;
            let mut out = Vec::new();
            loop {
                skip(pos);
                match s.get(*pos) {
                    Some('}') => {
                        *pos += 1;
                        break;
                    }
                    Some(',') => *pos += 1,
                    None => break,
                    Some(_) => {
                        let start = *pos;
                        for tail in paths(s, pos) {
                            let mut full = path.clone();
                            full.extend(tail.into_iter().filter(|seg| seg != "self"));
                            out.push(full);
                        }
                        if *pos == start {
                            *pos += 1;
                        }
                    }
                }
            }
            return out;
        }
        let start = *pos;
        while *pos < s.len() && is_ident(s[*pos]) {
            *pos += 1;
        }
        if *pos == start {
            return vec![path];
        }
        path.push(s[start..*pos].iter().collect());
        if s.get(*pos) == Some(&':') && s.get(*pos + 1) == Some(&':') {
            *pos += 2;
        } else {
            // `as name` (skipped), `*`, `;`, `,`, `}` or anything else ends this path.
            let mut after = *pos;
            skip(&mut after);
            if s[after..].starts_with(&['a', 's']) && s.get(after + 2).is_some_and(|c| c.is_whitespace()) {
                *pos = after + 2;
                skip(pos);
                while *pos < s.len() && is_ident(s[*pos]) {
                    *pos += 1;
                }
            }
            return vec![path];
        }
    }
}

/// The modules `module`'s source names.
fn imports(module: &Module, source: &str, all: &BTreeMap<Module, String>) -> Vec<Module> {
    let s = code_only(source);
    let mut out = Vec::new();
    // The brace depth, and the depths at which the inline modules around `i` opened.
    let (mut depth, mut inline) = (0_usize, Vec::new());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            '{' => depth += 1,
            '}' => {
                if inline.last() == Some(&depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
        if !is_ident(s[i]) || (i > 0 && (is_ident(s[i - 1]) || s[i - 1] == ':')) {
            i += 1;
            continue;
        }
        let word_end = i + s[i..].iter().take_while(|c| is_ident(**c)).count();
        let word: String = s[i..word_end].iter().collect();
        if word == "mod" {
            // `mod name {`: an inline module (`mod name;` declares a file, no edge).
            let rest: String = s[word_end..].iter().take(200).collect();
            let name_end = rest.trim_start().find(|c: char| !is_ident(c)).unwrap_or(0);
            if rest.trim_start()[name_end..].trim_start().starts_with('{') {
                inline.push(depth + 1);
            }
            i = word_end;
            continue;
        }
        if s.get(word_end) != Some(&':') || s.get(word_end + 1) != Some(&':') {
            i = word_end;
            continue;
        }
        let mut pos = i;
        for path in paths(&s, &mut pos) {
            let mut segments = path.iter().peekable();
            let mut absolute = match path[0].as_str() {
                "crate" => {
                    segments.next();
                    Vec::new()
                }
                "super" => {
                    // The first supers leave the inline modules around, within the file.
                    let mut inner = inline.len();
                    let mut base = module.clone();
                    while segments.peek().is_some_and(|s| *s == "super") {
                        segments.next();
                        if inner > 0 {
                            inner -= 1;
                        } else {
                            base.pop();
                        }
                    }
                    base
                }
                "self" => {
                    segments.next();
                    module.clone()
                }
                // A child module's name, or another crate's (no edge).
                _ => module.clone(),
            };
            absolute.extend(segments.cloned());
            // A relative path names a module only below this one (else another crate, a type, …).
            let shortest = if matches!(path[0].as_str(), "crate" | "super") { 0 } else { module.len() + 1 };
            let target =
                (shortest..=absolute.len()).rev().map(|k| absolute[..k].to_vec()).find(|m| all.contains_key(m));
            if let Some(target) = target.filter(|t| !t.is_empty() && t != module) {
                out.push(target);
            }
        }
        i = pos.max(word_end);
    }
    out.sort();
    out.dedup();
    out
}

/// A cycle of `edges`, as the modules along it, when there is one.
fn find_cycle(edges: &BTreeMap<Module, Vec<Module>>) -> Option<Vec<Module>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        m: &Module,
        edges: &BTreeMap<Module, Vec<Module>>,
        marks: &mut BTreeMap<Module, Mark>,
        stack: &mut Vec<Module>,
    ) -> Option<Vec<Module>> {
        match marks.get(m) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let from = stack.iter().position(|s| s == m).unwrap_or(0);
                let mut cycle = stack[from..].to_vec();
                cycle.push(m.clone());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(m.clone(), Mark::Open);
        stack.push(m.clone());
        for next in edges.get(m).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, marks, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        marks.insert(m.clone(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    edges.keys().find_map(|m| visit(m, edges, &mut marks, &mut Vec::new()))
}

#[test]
fn no_module_imports_itself_through_others() {
    let mut all = BTreeMap::new();
    modules(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &[], &mut all);
    let edges: BTreeMap<Module, Vec<Module>> = all.iter().map(|(m, s)| (m.clone(), imports(m, s, &all))).collect();
    let name = |m: &Module| if m.is_empty() { "crate".to_owned() } else { m.join("::") };
    if std::env::var_os("IMPORT_EDGES").is_some() {
        for (from, to) in &edges {
            for t in to {
                println!("{} -> {}", name(from), name(t));
            }
        }
    }
    // The check sees what it must: result.rs's one import, a parent's re-export, and a cycle
    // where there is one.
    let m = |path: &str| -> Module { path.split("::").map(str::to_owned).collect() };
    assert_eq!(edges[&m("result")], [m("options")]);
    assert!(edges[&m("drift")].contains(&m("drift::binning")));
    let mut cyclic = edges.clone();
    cyclic.entry(m("options")).or_default().push(m("result"));
    assert!(find_cycle(&cyclic).is_some());
    if let Some(cycle) = find_cycle(&edges) {
        panic!("import cycle: {}", cycle.iter().map(name).collect::<Vec<_>>().join(" → "));
    }
}

#[test]
fn use_trees_expand_to_their_paths() {
    let chars: Vec<char> = "super::{a::B, c::{self, D as E}, f}::g;".chars().collect();
    let got: Vec<String> = paths(&chars, &mut 0).iter().map(|p| p.join("::")).collect();
    assert_eq!(got, ["super::a::B", "super::c", "super::c::D", "super::f"]);
}
