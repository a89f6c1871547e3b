using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace HangfireApp.BrowserTests.Infrastructure;

/// <summary>
/// One headless Debian Chromium, driven through Debian's chromedriver. Both paths are given explicitly, so
/// Selenium never runs its Selenium Manager (which would try to download a browser or driver).
/// </summary>
public sealed class Browser : IDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string ChromeDriverPath = "/usr/bin/chromedriver";

    private Browser(ChromeDriver driver) => Driver = driver;

    /// <summary>The Selenium driver, for anything the helpers here do not cover.</summary>
    public IWebDriver Driver { get; }

    /// <summary>How long <see cref="WaitFor"/> and <see cref="WaitUntil"/> wait unless told otherwise.</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(20);

    public static Browser Start()
    {
        if (!File.Exists(ChromiumPath) || !File.Exists(ChromeDriverPath))
        {
            throw new InvalidOperationException(
                $"Browser tests need Debian's chromium and chromium-driver ({ChromiumPath}, {ChromeDriverPath}): run ops/browser-deps.sh.");
        }
        // Belt and braces: if anything did reach Selenium Manager, it must not go online.
        Environment.SetEnvironmentVariable("SE_OFFLINE", "true");
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        options.AddArguments(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--window-size=1366,900");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriverPath)!, Path.GetFileName(ChromeDriverPath));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        driver.Manage().Timeouts().PageLoad = TimeSpan.FromSeconds(30);
        return new Browser(driver);
    }

    /// <summary>Navigates to an absolute address (see <see cref="BrowserHost.Url"/>).</summary>
    public void Open(Uri url) => Driver.Navigate().GoToUrl(url);

    /// <summary>The page's current path, e.g. <c>/account/login</c>.</summary>
    public string CurrentPath => new Uri(Driver.Url).AbsolutePath;

    /// <summary>Waits until an element matching the CSS selector is displayed, and returns it.</summary>
    public IWebElement WaitFor(string cssSelector, TimeSpan? timeout = null) =>
        WaitUntil(driver => driver.FindElements(By.CssSelector(cssSelector)).FirstOrDefault(element => element.Displayed),
            timeout, $"an element '{cssSelector}' to be displayed");

    /// <summary>Waits until <paramref name="condition"/> returns a non-null, non-false value.</summary>
    public T WaitUntil<T>(Func<IWebDriver, T?> condition, TimeSpan? timeout = null, string? because = null)
    {
        var wait = new WebDriverWait(Driver, timeout ?? DefaultTimeout) { PollingInterval = TimeSpan.FromMilliseconds(100) };
        wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException), typeof(NoSuchElementException));
        try
        {
            return wait.Until(driver => condition(driver))!;
        }
        catch (WebDriverTimeoutException e)
        {
            throw new TimeoutException($"Timed out waiting for {because ?? "the condition"} on {Driver.Url}.", e);
        }
    }

    /// <summary>Whether an element matching the CSS selector is on the page now (displayed or not).</summary>
    public bool Has(string cssSelector) => Driver.FindElements(By.CssSelector(cssSelector)).Count > 0;

    /// <summary>Signs in through the login form with one of <see cref="TestUsers"/> and waits to leave the login page.</summary>
    public void LoginAs(BrowserHost host, string role, string returnPath = "/hangfire")
    {
        var user = TestUsers.ForRole(role);
        SubmitLogin(host, user.Name, user.Password, returnPath);
        WaitUntil(driver => !new Uri(driver.Url).AbsolutePath.StartsWith("/account/login", StringComparison.Ordinal),
            because: $"{user.Name} to be signed in");
    }

    /// <summary>Opens the login page and submits the form; does not wait for the outcome.</summary>
    public void SubmitLogin(BrowserHost host, string userName, string password, string returnPath = "/hangfire")
    {
        Driver.Manage().Cookies.DeleteAllCookies();
        Open(host.Url($"/account/login?ReturnUrl={Uri.EscapeDataString(returnPath)}"));
        var name = WaitFor("#username");
        name.Clear();
        name.SendKeys(userName);
        var secret = WaitFor("#password");
        secret.Clear();
        secret.SendKeys(password);
        WaitFor("form#login button[type=submit]").Click();
    }

    /// <summary>Saves a PNG of the page as a test artifact (see <see cref="Screenshots"/>) and returns its path.</summary>
    public string Screenshot(string name)
    {
        var path = Screenshots.PathFor(name);
        ((ITakesScreenshot)Driver).GetScreenshot().SaveAsFile(path);
        return path;
    }

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
    }
}
