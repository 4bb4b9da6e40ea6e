//! A fake `claude` CLI for generation tests: answers each kind of prompt from a file the test
//! controls, logs every AI call, and can be made slow.

use std::path::Path;

use super::FakeBin;

/// The fake and its knobs.
pub struct FakeClaude {
    pub bin: FakeBin,
}

/// claude's JSON result wrapping `text`.
pub fn claude_result(text: &str) -> String {
    serde_json::json!({"type": "result", "subtype": "success", "is_error": false, "result": text})
        .to_string()
}

impl FakeClaude {
    /// A fake that plans `pages` (slug, title) and writes a page for each.
    pub fn new(pages: &[(&str, &str)]) -> FakeClaude {
        let bin = FakeBin::new();
        let fake = FakeClaude { bin };
        fake.plan(pages);
        fake.answer("redo", &claude_result("[]"));
        fake.answer("update", &claude_result("{\"edits\": []}"));
        // `sleep` under a name in the fake's directory, so that its command line says whose
        // it is (see `cli_processes`).
        let sleep = ["/usr/bin/sleep", "/bin/sleep"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("sleep");
        std::os::unix::fs::symlink(sleep, fake.bin.file("doze")).expect("doze");
        let log = fake.bin.file("calls.log");
        let dir = fake.bin.path().display().to_string();
        fake.bin.script(
            "claude",
            &format!(
                r##"[ "$1" = "--version" ] && {{ echo 1.0.0; exit 0; }}
prompt=$(cat)
printf '%s\n' "$prompt" >> {dir}/prompts.log
[ -f {dir}/track ] && {{ echo "start $PWD" >> {dir}/concurrency.log; sleep 0.3; }}
# As a real CLI would: read the README of the checkout it works in.
head -c 65536 README.md >> {dir}/read-by-cli.log 2>/dev/null
# As claude does, run the project's hooks unless told to load only the user's settings.
case " $* " in
  *" --setting-sources user "*) ;;
  *) [ -f .claude/settings.json ] && sh -c "$(sed -n 's/.*"command": *"\([^"]*\)".*/\1/p' .claude/settings.json | head -n 1)" ;;
esac
# What a curious CLI could read of the server's files (the test names one).
[ -f {dir}/peek ] && {{ cat "$(cat {dir}/peek)" >> {dir}/peeked.log 2>/dev/null || echo unreadable >> {dir}/peeked.log; }}
# Pids repeat across sandboxes (each has its own pid namespace): the file name adds the time.
[ -f {dir}/slow ] && {{ echo $$ > {dir}/slow-$(date +%s%N)-$$.pid; {dir}/doze 60; }}
# Answers by the kind of call the host says it is making, never by the prompt's wording.
case "$DOCSFY_CALL_KIND" in
  plan|plan-retry) echo plan >> {log}; cat {dir}/plan.out ;;
  redo) echo redo >> {log}; cat {dir}/redo.out ;;
  update) echo update >> {log}; cat {dir}/update.out ;;
  page|page-retry)
    title=$(printf '%s\n' "$prompt" | sed -n 's/^Page: //p' | head -n 1)
    echo "page $title" >> {log}
    cost=$(cat {dir}/cost 2>/dev/null || echo null)
    usage=$(cat {dir}/usage 2>/dev/null || echo null)
    if [ -f "{dir}/page-$title.out" ]; then cat "{dir}/page-$title.out"; else
    printf '{{"type":"result","is_error":false,"total_cost_usd":%s,"usage":%s,"result":"# %s\\n\\nThis page explains %s: how the sample project works, how to run it, and what each part is for, in enough words to be useful."}}' "$cost" "$usage" "$title" "$title"
    fi
    ;;
  *) echo "the fake does not know calls of kind '$DOCSFY_CALL_KIND'" >&2; exit 3 ;;
esac
[ -f {dir}/track ] && echo "end $PWD" >> {dir}/concurrency.log
exit 0"##,
                log = log.display()
            ),
        );
        fake
    }

    /// Makes the fake plan `pages` (slug, title).
    pub fn plan(&self, pages: &[(&str, &str)]) {
        let navigation: Vec<_> = pages
            .iter()
            .map(|(slug, title)| serde_json::json!({"slug": slug, "title": title, "description": format!("About {title}")}))
            .collect();
        let plan = serde_json::json!({"project_name": "Sample", "tagline": "A sample", "navigation": [{"group": "Docs", "pages": navigation}]});
        self.answer("plan", &claude_result(&plan.to_string()));
    }

    /// Makes every following call report that it cost `usd`, as claude's
    /// `total_cost_usd` does (the plan answer included).
    pub fn report_cost(&self, usd: f64) {
        std::fs::write(self.bin.file("cost"), usd.to_string()).expect("cost");
        let plan = self.bin.read("plan.out");
        let mut answer: serde_json::Value = serde_json::from_str(&plan).expect("the plan answer");
        answer["total_cost_usd"] = serde_json::json!(usd);
        self.answer("plan", &answer.to_string());
    }

    /// Makes every following page call report `input` tokens read and `output` written, in
    /// claude's `usage`.
    pub fn report_tokens(&self, input: u64, output: u64) {
        let usage = serde_json::json!({"input_tokens": input, "output_tokens": output});
        std::fs::write(self.bin.file("usage"), usage.to_string()).expect("usage");
    }

    /// Makes the fake write `markdown` for the page titled `title` (instead of its one
    /// paragraph).
    pub fn write_page(&self, title: &str, markdown: &str) {
        self.answer(&format!("page-{title}"), &claude_result(markdown));
    }

    /// What the fake prints for one kind of prompt (`plan`, `redo`, `update`).
    pub fn answer(&self, kind: &str, stdout: &str) {
        std::fs::write(self.bin.file(&format!("{kind}.out")), stdout).expect("write answer");
    }

    /// Every AI call so far, one word per call (`plan`, `redo`, `update`, `page <title>`).
    pub fn calls(&self) -> Vec<String> {
        self.bin
            .read("calls.log")
            .lines()
            .map(String::from)
            .collect()
    }

    /// Every prompt the fake was sent, one after the other.
    pub fn prompts(&self) -> String {
        self.bin.read("prompts.log")
    }

    /// What the fake read of the README in its working directory, call after call.
    pub fn read_by_cli(&self) -> String {
        self.bin.read("read-by-cli.log")
    }

    /// Makes every following call try to read `path` (a file of the server's), see `peeked`.
    pub fn peek_at(&self, path: &Path) {
        std::fs::write(self.bin.file("peek"), path.display().to_string()).expect("peek");
    }

    /// What the calls read of the file named by `peek_at`: its text, or `unreadable`, once
    /// per call.
    pub fn peeked(&self) -> String {
        self.bin.read("peeked.log")
    }

    /// Makes every following call take 0.3 s and log when it starts and ends, with the job's
    /// checkout it runs in, so that a test can see how many ran at once.
    pub fn track_concurrency(&self) {
        std::fs::write(self.bin.file("track"), "").expect("flag");
    }

    /// The most calls that ran at once: in all, and in any one checkout (one job).
    pub fn peak_concurrency(&self) -> (usize, usize) {
        let mut running: std::collections::HashMap<String, usize> = Default::default();
        let (mut total, mut peak_total, mut peak_job) = (0usize, 0, 0);
        for line in self.bin.read("concurrency.log").lines() {
            let (event, job) = line.split_once(' ').expect("an event and a checkout");
            let count = running.entry(job.to_string()).or_default();
            if event == "start" {
                *count += 1;
                total += 1;
            } else {
                *count -= 1;
                total -= 1;
            }
            peak_job = peak_job.max(*count);
            peak_total = peak_total.max(total);
        }
        (peak_total, peak_job)
    }

    /// Makes every following call hang until killed.
    pub fn slow(&self, on: bool) {
        let flag = self.bin.file("slow");
        if on {
            std::fs::write(flag, "").expect("flag");
        } else {
            let _ = std::fs::remove_file(flag);
        }
    }

    /// Waits for a call made slow by [`FakeClaude::slow`] to start; returns its pid.
    pub async fn wait_for_slow_call(&self) -> i32 {
        for _ in 0..200 {
            if let Some(pid) = self.slow_calls().first() {
                return *pid;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the slow call never started");
    }

    /// The host's pids of every live process of the fake (the shell, its sleep, and the
    /// sandbox around them): their command lines name the fake's directory. The pids the
    /// fake writes itself are its sandbox's, not the host's.
    pub fn cli_processes(&self) -> Vec<i32> {
        let dir = self.bin.path().display().to_string();
        std::fs::read_dir("/proc")
            .expect("/proc")
            .filter_map(Result::ok)
            .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
            .filter(|pid| {
                std::fs::read(format!("/proc/{pid}/cmdline"))
                    .is_ok_and(|line| String::from_utf8_lossy(&line).contains(&dir))
                    && crate::support::process_alive(*pid)
            })
            .collect()
    }

    /// Waits up to two seconds for every process of the fake to be gone.
    pub fn cli_gone_soon(&self) -> bool {
        (0..100).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(20));
            self.cli_processes().is_empty()
        })
    }

    /// The pids of every slow call started so far (each writes its own file), as the fake
    /// saw them: inside a sandbox, pids of its own namespace.
    pub fn slow_calls(&self) -> Vec<i32> {
        let mut pids: Vec<i32> = std::fs::read_dir(self.bin.path())
            .expect("the fake's directory")
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                let pid: i32 = name
                    .strip_prefix("slow-")?
                    .strip_suffix(".pid")?
                    .rsplit('-')
                    .next()?
                    .parse()
                    .ok()?;
                // A file whose pid is not yet written is not a started call yet.
                let written = std::fs::read_to_string(entry.path()).ok()?;
                (written.trim().parse::<i32>().ok() == Some(pid)).then_some(pid)
            })
            .collect();
        pids.sort_unstable();
        pids
    }

    /// The variable that lets the fake write its logs from inside the server's sandbox
    /// (`[sandbox] writable`), as a real CLI writes its login directory.
    pub fn sandbox_env(&self) -> (&'static str, String) {
        (
            "DOCSFY_SANDBOX__WRITABLE",
            format!("[{:?}]", self.bin.path().display().to_string()),
        )
    }

    /// A PATH with the fake first.
    /// A server (the test ADMIN_KEY, plain-HTTP cookies, default model `opus`) whose
    /// search path finds this fake as `claude`, with `config` as its configuration file.
    pub fn server(&self, config: &str) -> super::server::RunningServer {
        self.server_with(config, &[])
    }

    /// [`FakeClaude::server`] with `env` on top of its environment.
    pub fn server_with(&self, config: &str, env: &[(&str, &str)]) -> super::server::RunningServer {
        let path = self.path_var();
        let (sandbox_key, writable) = self.sandbox_env();
        let mut all = vec![
            ("ADMIN_KEY", super::api::ADMIN_KEY),
            ("SECURE_COOKIES", "false"),
            ("PATH", path.as_str()),
            (sandbox_key, writable.as_str()),
            ("AI_MODEL", "opus"),
        ];
        all.extend_from_slice(env);
        super::server::RunningServer::start(config, &all)
    }

    pub fn path_var(&self) -> String {
        format!(
            "{}:{}",
            self.bin.path().display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }
}

/// A git repository made in the test, with commits on `main`.
pub struct SampleRepo {
    pub dir: tempfile::TempDir,
}

impl SampleRepo {
    pub fn new() -> SampleRepo {
        SampleRepo::in_folder_named("sample-")
    }

    /// The commit `main` is at.
    pub fn head(&self) -> String {
        git2::Repository::open(self.path())
            .and_then(|r| Ok(r.head()?.peel_to_commit()?.id().to_string()))
            .expect("the sample's head")
    }

    /// A sample repository whose folder name (the project name) starts with `prefix`.
    pub fn in_folder_named(prefix: &str) -> SampleRepo {
        let repo = SampleRepo {
            dir: tempfile::Builder::new()
                .prefix(prefix)
                .tempdir()
                .expect("dir"),
        };
        repo.commit(
            &[
                ("README.md", "# Sample\n\nA sample project.\n"),
                ("src/main.rs", "fn main() {}\n"),
            ],
            "initial",
        );
        repo
    }

    /// The repository's path (its name becomes the project name).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn project(&self) -> String {
        self.path()
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned()
    }

    /// Writes `files` and commits them; returns the commit id.
    pub fn commit(&self, files: &[(&str, &str)], message: &str) -> String {
        super::git::commit_files(self.path(), files, message)
    }
}
