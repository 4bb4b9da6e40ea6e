//! One headless Chromium for the whole test binary, driven through chromium-driver
//! (WebDriver). The browser lives on a runtime of its own; tests take turns with it, each
//! starting from no cookies and no stored settings.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// The runtime that owns the browser session (a test's own runtime ends with the test).
static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("the browser's runtime")
});

struct Shared {
    _driver: Driver,
    client: Client,
}

/// chromium-driver, stopped with the binary.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
    }
}

static BROWSER: LazyLock<Mutex<Shared>> = LazyLock::new(|| Mutex::new(RUNTIME.block_on(start())));

async fn start() -> Shared {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let driver = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver runs (`cargo xtask test` installs chromium-driver)");
    let driver = Driver(driver);
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,900", "--disable-extensions", "--no-first-run"],
        },
        "goog:loggingPrefs": { "browser": "ALL" },
    });
    let capabilities = match capabilities {
        Value::Object(map) => map,
        _ => unreachable!("an object"),
    };
    let url = format!("http://127.0.0.1:{port}");
    let mut last_error = String::new();
    for _ in 0..50 {
        match ClientBuilder::native()
            .capabilities(capabilities.clone())
            .connect(&url)
            .await
        {
            Ok(client) => {
                return Shared {
                    _driver: driver,
                    client,
                };
            }
            Err(error) => last_error = error.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("chromedriver did not start a browser: {last_error}");
}

/// Runs `test` with the browser, alone, at `width` × 900 pixels, from a clean state.
pub fn with_browser<F, Fut>(width: u32, test: F)
where
    F: FnOnce(Page) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let shared = BROWSER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let client = shared.client.clone();
    RUNTIME.block_on(async move {
        client
            .set_window_size(width, 900)
            .await
            .expect("window size");
        // Cookies and storage of the previous test's server go with a blank page.
        let _ = client.goto("about:blank").await;
        let _ = client.delete_all_cookies().await;
        let _ = console_errors(&client).await;
        let page = Page { client };
        test(page).await;
    });
}

/// The browser, as a test drives it.
pub struct Page {
    pub client: Client,
}

impl Page {
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigates");
        self.client
            .execute("localStorage.clear(); return null;", vec![])
            .await
            .ok();
    }

    /// The element matching `css`, waiting up to ten seconds for it.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no `{css}` on the page: {e}"))
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("clears");
        field.send_keys(text).await.expect("types");
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("clicks");
    }

    /// Waits up to `seconds` for `script` (a function body returning a value) to return true.
    pub async fn wait_until(&self, what: &str, seconds: u64, script: &str) {
        for _ in 0..seconds * 10 {
            if let Ok(Value::Bool(true)) = self.client.execute(script, vec![]).await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let name: String = what
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        self.screenshot(&format!("timeout-{name}")).await;
        panic!("waited {seconds} s for {what}");
    }

    /// The text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap_or_default()
    }

    /// Saves what the browser shows as `target/screenshots/NAME.png`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("a screenshot");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("screenshot saved");
    }

    /// Fails on any error the page's scripts logged since the last call.
    pub async fn assert_no_console_errors(&self) {
        self.assert_no_console_errors_but(&[]).await;
    }

    /// Fails on any error logged since the last call but those containing one of `expected`
    /// (Chromium logs every 4xx answer to a fetch, even one the test provoked).
    pub async fn assert_no_console_errors_but(&self, expected: &[&str]) {
        let errors: Vec<String> = console_errors(&self.client)
            .await
            .into_iter()
            .filter(|error| !expected.iter().any(|e| error.contains(e)))
            .collect();
        assert!(errors.is_empty(), "JavaScript console errors: {errors:#?}");
    }
}

impl Page {
    /// Sends a Chrome DevTools Protocol command through chromedriver.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        let command = ChromeCommand {
            path: "goog/cdp/execute",
            body: json!({"cmd": cmd, "params": params}),
        };
        self.client
            .issue_cmd(command)
            .await
            .unwrap_or_else(|e| panic!("{cmd}: {e}"))
    }

    /// Fills in the login form on the page and sends it.
    pub async fn submit_login(&self, username: &str, key: &str) {
        self.fill("#username", username).await;
        self.fill("#api_key", key).await;
        self.click("button[type=submit]").await;
    }

    /// Sends the login form with a key that does not match and waits for the message.
    pub async fn submit_wrong_login(&self, username: &str, key: &str) {
        self.submit_login(username, key).await;
        self.wait_until(
            "the wrong-key message",
            10,
            "return !document.getElementById('login-error').hidden;",
        )
        .await;
    }

    /// Waits for the confirmation dialog to be open.
    pub async fn wait_for_confirmation(&self) {
        self.wait_until(
            "the confirmation dialog",
            10,
            "return !!document.querySelector('#confirm-dialog[open]');",
        )
        .await;
    }

    /// Signs in through the login page and waits for the dashboard's socket to be live.
    pub async fn sign_in(&self, base: &str, username: &str, key: &str) {
        self.goto(&format!("{base}/login")).await;
        self.submit_login(username, key).await;
        self.wait_until(
            "the live dashboard",
            10,
            "return location.pathname === '/' && document.getElementById('connection').textContent === 'Live';",
        )
        .await;
    }

    /// The value the selected variant's panel shows for `name` ("Cost", "Pages", ...).
    pub async fn field(&self, name: &str) -> String {
        let script = "const dt = [...document.querySelectorAll('#detail dt')].find(d => d.textContent === arguments[0]); \
                      return dt ? dt.nextElementSibling.textContent : null;";
        match self.client.execute(script, vec![json!(name)]).await {
            Ok(Value::String(value)) => value,
            other => panic!("no {name} in the variant's panel: {other:?}"),
        }
    }

    /// Runs `script` (a function body) and returns what it returns.
    pub async fn run(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("the script failed: {e}"))
    }

    /// Waits for the browser to be at `path` on its server.
    pub async fn wait_for_path(&self, path: &str) {
        let script = format!("return location.pathname === '{path}';");
        self.wait_until(&format!("the page at {path}"), 10, &script)
            .await;
    }
}

/// Whether the project tree lists `name`, as a script for [`Page::wait_until`].
pub fn tree_lists(name: &str) -> String {
    format!("return document.getElementById('tree').textContent.includes('{name}');")
}

/// Whether one of the selected variant's fields reads exactly `value` (its status, say).
pub fn panel_shows(value: &str) -> String {
    format!(
        "return [...document.querySelectorAll('#detail dd')].some(d => d.textContent === '{value}');"
    )
}

/// A chromedriver command outside W3C WebDriver: a POST of `body` to the session's `path`.
#[derive(Debug)]
struct ChromeCommand {
    path: &'static str,
    body: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for ChromeCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

/// chromium's console log since the last read: its SEVERE entries.
async fn console_errors(client: &Client) -> Vec<String> {
    let log = ChromeCommand {
        path: "se/log",
        body: json!({"type": "browser"}),
    };
    let Ok(Value::Array(entries)) = client.issue_cmd(log).await else {
        return vec!["the browser's console log could not be read".into()];
    };
    entries
        .into_iter()
        .filter(|e| e["level"] == "SEVERE")
        .map(|e| e["message"].as_str().unwrap_or_default().to_string())
        .collect()
}
