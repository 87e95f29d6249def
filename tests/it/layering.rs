//! The crate's layering, checked from its source: which top-level module of `src/` may import
//! which ([`ALLOWED`]), that no two of them import each other, and that the files of one module
//! do not import each other in a cycle.
//!
//! Imports are read from the text: every `crate::…` and `super::…` path outside comments and
//! string literals, with `use` groups (`crate::{a, b::c}`) expanded and `super` resolved from
//! the file's place (and any inline `mod x { … }` it sits in). A path counts wherever it is
//! written, in a `use` or inline, in tests too: a dependency in a test is still a dependency.
//!
//! Exceptions that other changes are removing are listed in [`EXCEPTIONS`] and
//! [`CYCLE_EXCEPTIONS`], each with its reason; an entry that no longer matches any import
//! fails the test too, so the lists only shrink.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Each top-level module and the top-level modules it may import (`crate::X`). A module not
/// listed here may import nothing; `lib.rs` (and `main.rs`) and `cli` may import anything.
const ALLOWED: &[(&str, &[&str])] = &[
    ("clock", &[]),
    ("crypto", &[]),
    ("domain", &["clock"]),
    ("locale", &["domain"]),
    ("config", &["domain", "crypto", "locale"]),
    ("render", &["domain", "config", "crypto", "locale"]),
    ("store", &["domain", "config", "crypto", "clock"]),
    (
        "snapshot",
        &["store", "render", "domain", "config", "clock"],
    ),
    (
        "delivery",
        &["store", "render", "domain", "config", "clock", "crypto"],
    ),
    (
        "app",
        &[
            "store", "snapshot", "render", "delivery", "domain", "config", "clock", "crypto",
        ],
    ),
    ("scheduler", &["app", "store", "domain", "config", "clock"]),
    (
        "web",
        &[
            "app", "snapshot", "store", "render", "delivery", "domain", "config", "clock",
            "crypto", "locale",
        ],
    ),
    (
        "demo",
        &["app", "store", "render", "domain", "config", "clock"],
    ),
];

/// Modules that may import anything: the entry points that wire the layers together.
const ANYTHING: &[&str] = &["lib", "cli"];

/// Imports between top-level modules that break [`ALLOWED`] today, and are being removed
/// (importer, imported, why). Delete an entry when the import it names is gone.
const EXCEPTIONS: &[(&str, &str, &str)] = &[];

/// File-level imports inside one module that close a cycle today, and are being removed
/// (importer, imported, why), as paths from the repository's root.
const CYCLE_EXCEPTIONS: &[(&str, &str, &str)] = &[];

#[test]
fn top_level_modules_import_only_what_the_layering_allows() {
    let crate_ = Crate::read();
    let mut problems = Vec::new();
    let mut used = BTreeSet::new();
    let mut edges: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for file in &crate_.files {
        let from = file.top();
        for import in &file.imports {
            let to = crate_.top_of(&import.path);
            if to == from {
                continue;
            }
            let at = format!("{}:{}: {}", file.rel, import.line, import.written());
            edges
                .entry((from.to_string(), to.to_string()))
                .or_default()
                .push(at.clone());
            if ANYTHING.contains(&from) {
                continue;
            }
            if let Some(i) = EXCEPTIONS
                .iter()
                .position(|(a, b, _)| *a == from && *b == to)
            {
                used.insert(i);
                continue;
            }
            let allowed = ALLOWED.iter().find(|(m, _)| *m == from).map(|(_, a)| *a);
            match allowed {
                Some(allowed) if allowed.contains(&to) => {}
                Some(allowed) => problems.push(format!(
                    "{at}\n    `{from}` imports `{to}`; `{from}` may import only: {}",
                    if allowed.is_empty() {
                        "nothing of the crate".to_string()
                    } else {
                        allowed.join(", ")
                    }
                )),
                None => problems.push(format!(
                    "{at}\n    `{from}` has no row in the layering table, so it may import nothing"
                )),
            }
        }
    }
    for ((a, b), at) in &edges {
        if a < b && a != "lib" && b != "lib" && edges.contains_key(&(b.clone(), a.clone())) {
            let back = &edges[&(b.clone(), a.clone())];
            problems.push(format!(
                "`{a}` and `{b}` import each other:\n    {}\n    {}",
                at[0], back[0]
            ));
        }
    }
    for (i, (a, b, why)) in EXCEPTIONS.iter().enumerate() {
        if !used.contains(&i) {
            problems.push(format!(
                "EXCEPTIONS entry (\"{a}\", \"{b}\", \"{why}\") matches no import any more: delete it"
            ));
        }
    }
    report(problems);
}

#[test]
fn files_of_one_module_do_not_import_each_other_in_a_cycle() {
    let crate_ = Crate::read();
    // importer file -> imported file -> where the first such import is written
    let mut graph: BTreeMap<&str, BTreeMap<&str, String>> = BTreeMap::new();
    let mut used = BTreeSet::new();
    for file in &crate_.files {
        for import in &file.imports {
            let Some(target) = crate_.file_of(&import.path) else {
                continue;
            };
            let same_module = target.top() == file.top();
            let related =
                target.module.starts_with(&file.module) || file.module.starts_with(&target.module);
            if !same_module || related {
                continue;
            }
            if let Some(i) = CYCLE_EXCEPTIONS
                .iter()
                .position(|(a, b, _)| *a == file.rel && *b == target.rel)
            {
                used.insert(i);
                continue;
            }
            graph
                .entry(&file.rel)
                .or_default()
                .entry(&target.rel)
                .or_insert_with(|| format!("{}:{}: {}", file.rel, import.line, import.written()));
        }
    }
    let mut problems = Vec::new();
    for component in strongly_connected(&graph) {
        let mut text = format!("these files import each other in a cycle: {component:?}");
        for a in &component {
            for (b, at) in &graph[a.as_str()] {
                if component.iter().any(|c| c == b) {
                    write!(text, "\n    {at}").unwrap();
                }
            }
        }
        problems.push(text);
    }
    for (i, (a, b, why)) in CYCLE_EXCEPTIONS.iter().enumerate() {
        if !used.contains(&i) {
            problems.push(format!(
                "CYCLE_EXCEPTIONS entry (\"{a}\", \"{b}\", \"{why}\") matches no import any more: delete it"
            ));
        }
    }
    report(problems);
}

#[test]
fn imports_are_read_from_use_groups_super_and_inline_paths() {
    let text = "use crate::{a::B, b::{self, c::D}};\n\
                // use crate::commented::Out;\n\
                fn f() { let _ = \"crate::quoted\"; crate::e::f(); }\n\
                pub(crate) fn g() {}\n\
                use super::sibling;\n\
                mod tests { use super::*; use super::super::up; }\n";
    let paths: Vec<(String, usize)> = imports(text, &["m".into(), "x".into()])
        .iter()
        .map(|i| (i.path.join("::"), i.line))
        .collect();
    let want = [
        ("a::B", 1),
        ("b", 1),
        ("b::c::D", 1),
        ("e::f", 3),
        ("m::sibling", 5),
        ("m::x::*", 6),
        ("m::up", 6),
    ];
    let want: Vec<(String, usize)> = want.iter().map(|(p, l)| (p.to_string(), *l)).collect();
    assert_eq!(paths, want);
}

fn report(problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "the layering is broken (the table of issue 25, in tests/layering.rs):\n\n{}\n",
        problems.join("\n\n")
    );
}

struct Crate {
    files: Vec<File>,
    /// Module path of each file (`["store", "outbox"]`), to find the file a path names.
    modules: BTreeMap<Vec<String>, usize>,
}

struct File {
    /// `src/store/outbox.rs`
    rel: String,
    /// `["store", "outbox"]`; empty for `lib.rs` and `main.rs`.
    module: Vec<String>,
    imports: Vec<Import>,
}

impl File {
    fn top(&self) -> &str {
        self.module.first().map_or("lib", String::as_str)
    }
}

struct Import {
    /// From the crate's root, `self` segments removed: `["store", "Store"]`.
    path: Vec<String>,
    line: usize,
}

impl Import {
    fn written(&self) -> String {
        format!("crate::{}", self.path.join("::"))
    }
}

impl Crate {
    fn read() -> Crate {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths = Vec::new();
        walk(&root.join("src"), &mut paths);
        paths.sort();
        let mut files = Vec::new();
        let mut modules = BTreeMap::new();
        for path in paths {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let mut module: Vec<String> = rel
                .trim_start_matches("src/")
                .trim_end_matches(".rs")
                .split('/')
                .map(str::to_string)
                .collect();
            if module.last().is_some_and(|m| m == "mod") {
                module.pop();
            }
            if module == ["lib"] || module == ["main"] {
                module.clear();
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let imports = imports(&text, &module);
            modules.insert(module.clone(), files.len());
            files.push(File {
                rel,
                module,
                imports,
            });
        }
        Crate { files, modules }
    }

    /// The top-level module a path is in: its first segment, or `lib` for an item of lib.rs.
    fn top_of<'a>(&self, path: &'a [String]) -> &'a str {
        match path.first() {
            Some(first) if self.modules.contains_key(std::slice::from_ref(first)) => first,
            _ => "lib",
        }
    }

    /// The file that defines the module a path leads into (the longest prefix that is one).
    fn file_of(&self, path: &[String]) -> Option<&File> {
        (1..=path.len())
            .rev()
            .find_map(|n| self.modules.get(&path[..n]))
            .map(|&i| &self.files[i])
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The `crate::` and `super::` paths of a file whose module path is `module`.
fn imports(text: &str, module: &[String]) -> Vec<Import> {
    let code = blank_comments_and_strings(text);
    let s = code.as_bytes();
    let mut out = Vec::new();
    // Inline modules the scanner is in: (name, brace depth inside it).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut previous_word = String::new();
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c == b'{' {
            depth += 1;
            if let Some(name) = previous_word.strip_prefix("mod ") {
                inline.push((name.to_string(), depth));
            }
            previous_word.clear();
            i += 1;
            continue;
        }
        if c == b'}' {
            if inline.last().is_some_and(|(_, d)| *d == depth) {
                inline.pop();
            }
            depth -= 1;
            i += 1;
            continue;
        }
        if !is_ident(c) || (i > 0 && (is_ident(s[i - 1]) || s[i - 1] == b':')) {
            if !c.is_ascii_whitespace() {
                previous_word.clear();
            }
            i += 1;
            continue;
        }
        let word = ident_at(s, i);
        let start = i;
        i += word.len();
        if previous_word == "mod" {
            previous_word = format!("mod {word}");
            continue;
        }
        previous_word = word.to_string();
        if (word != "crate" && word != "super") || !code[i..].starts_with("::") {
            continue;
        }
        let mut base: Vec<String> = if word == "crate" {
            Vec::new()
        } else {
            let mut here: Vec<String> = module.to_vec();
            here.extend(inline.iter().map(|(m, _)| m.clone()));
            here.pop();
            here
        };
        let line = code[..start].matches('\n').count() + 1;
        // `super::super::…`
        while code[i..].starts_with("::super") && !is_ident(s.get(i + 7).copied().unwrap_or(b' ')) {
            base.pop();
            i += 7;
        }
        let mut paths = Vec::new();
        i = path_tail(s, i, base, &mut paths);
        for mut path in paths {
            path.retain(|p| p != "self");
            if !path.is_empty() {
                out.push(Import { path, line });
            }
        }
        previous_word.clear();
    }
    out
}

/// Reads `::a::b`, `::{x, y::z}` or `::*` after a path's head, pushing every full path; returns
/// where it stopped.
fn path_tail(s: &[u8], mut i: usize, mut path: Vec<String>, out: &mut Vec<Vec<String>>) -> usize {
    loop {
        let j = skip_space(s, i);
        if !s[j..].starts_with(b"::") {
            out.push(path);
            return i;
        }
        i = skip_space(s, j + 2);
        match s.get(i) {
            Some(b'{') => {
                i += 1;
                loop {
                    i = skip_space(s, i);
                    match s.get(i) {
                        Some(b'}') => return i + 1,
                        Some(b',') => i += 1,
                        Some(_) => i = group_item(s, i, path.clone(), out),
                        None => return i,
                    }
                }
            }
            Some(b'*') => {
                path.push("*".into());
                out.push(path);
                return i + 1;
            }
            Some(&c) if is_ident(c) => {
                let word = ident_at(s, i);
                path.push(word.to_string());
                i += word.len();
            }
            _ => {
                out.push(path);
                return i;
            }
        }
    }
}

/// One item of a `{…}` group: `self`, `*`, `a::b`, `a::{…}`, each perhaps `as x`.
fn group_item(s: &[u8], i: usize, mut path: Vec<String>, out: &mut Vec<Vec<String>>) -> usize {
    if s[i] == b'*' {
        path.push("*".into());
        out.push(path);
        return i + 1;
    }
    if s[i] == b'{' {
        // `{{…}}` does not occur in Rust paths; skip what cannot be read.
        return i + 1;
    }
    let word = ident_at(s, i);
    if word.is_empty() {
        return i + 1;
    }
    path.push(word.to_string());
    let mut i = path_tail(s, i + word.len(), path, out);
    let j = skip_space(s, i);
    if s[j..].starts_with(b"as ") {
        let k = skip_space(s, j + 3);
        i = k + ident_at(s, k).len();
    }
    i
}

fn skip_space(s: &[u8], mut i: usize) -> usize {
    while s.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn ident_at(s: &[u8], i: usize) -> &str {
    let end = (i..s.len()).find(|&j| !is_ident(s[j])).unwrap_or(s.len());
    std::str::from_utf8(&s[i..end]).unwrap()
}

/// The text with every comment, string and character literal turned into spaces (newlines
/// kept, so line numbers hold): a path written there is not an import.
fn blank_comments_and_strings(text: &str) -> String {
    let s = text.as_bytes();
    let mut out = s.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for b in &mut out[from..to.min(s.len())] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    };
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        if rest.starts_with(b"//") {
            let end = rest
                .iter()
                .position(|&b| b == b'\n')
                .map_or(s.len(), |p| i + p);
            blank(&mut out, i, end);
            i = end;
        } else if rest.starts_with(b"/*") {
            let (mut j, mut nest) = (i, 0);
            while j < s.len() {
                if s[j..].starts_with(b"/*") {
                    nest += 1;
                    j += 2;
                } else if s[j..].starts_with(b"*/") {
                    nest -= 1;
                    j += 2;
                    if nest == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if let Some(end) = raw_string_end(s, i) {
            blank(&mut out, i, end);
            i = end;
        } else if s[i] == b'"' {
            let mut j = i + 1;
            while j < s.len() && s[j] != b'"' {
                j += if s[j] == b'\\' { 2 } else { 1 };
            }
            blank(&mut out, i, j + 1);
            i = j + 1;
        } else if s[i] == b'\'' {
            // A character literal ('x', '\n', '\u{1F600}'); otherwise a lifetime.
            let end = if s.get(i + 1) == Some(&b'\\') {
                // The escaped character may be a quote itself ('\''), so look past it.
                s.get(i + 3..)
                    .and_then(|t| t.iter().position(|&b| b == b'\''))
                    .map(|p| i + 3 + p + 1)
            } else {
                text[i + 1..]
                    .chars()
                    .next()
                    .map(|c| i + 1 + c.len_utf8())
                    .filter(|&e| s.get(e) == Some(&b'\''))
                    .map(|e| e + 1)
            };
            match end {
                Some(end) => {
                    blank(&mut out, i, end);
                    i = end;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// Where a raw string (`r"…"`, `r#"…"#`, `br#"…"#`) that starts at `i` ends.
fn raw_string_end(s: &[u8], i: usize) -> Option<usize> {
    if i > 0 && is_ident(s[i - 1]) && s[i - 1] != b'b' {
        return None;
    }
    let mut j = i;
    if s.get(j) == Some(&b'b') {
        j += 1;
    }
    if s.get(j) != Some(&b'r') {
        return None;
    }
    j += 1;
    let hashes = s[j..].iter().take_while(|&&b| b == b'#').count();
    j += hashes;
    if s.get(j) != Some(&b'"') {
        return None;
    }
    let mut close = vec![b'"'];
    close.extend(std::iter::repeat_n(b'#', hashes));
    let from = j + 1;
    s[from..]
        .windows(close.len())
        .position(|w| w == close.as_slice())
        .map(|p| from + p + close.len())
}

/// The strongly connected components of more than one file (Tarjan), sorted.
fn strongly_connected(graph: &BTreeMap<&str, BTreeMap<&str, String>>) -> Vec<Vec<String>> {
    struct Tarjan<'g, 'a> {
        graph: &'g BTreeMap<&'a str, BTreeMap<&'a str, String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    impl<'a> Tarjan<'_, 'a> {
        fn visit(&mut self, v: &'a str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            self.on_stack.insert(v);
            let next: Vec<&'a str> = self
                .graph
                .get(v)
                .map(|m| m.keys().copied().collect())
                .unwrap_or_default();
            for w in next {
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                loop {
                    let w = self.stack.pop().unwrap();
                    self.on_stack.remove(w);
                    component.push(w.to_string());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.out.push(component);
                }
            }
        }
    }
    let mut t = Tarjan {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for &v in graph.keys() {
        if !t.index.contains_key(v) {
            t.visit(v);
        }
    }
    t.out.sort();
    t.out
}
