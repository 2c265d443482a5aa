package io.firehosebridge.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's {@code chromium} driven through its {@code chromium-driver}, headless, with a profile of its own that is deleted
 * on {@link #close}: a fresh browser knows no cookies, so an identity provider's session of one user never signs in the next.
 */
public final class HeadlessChromium implements AutoCloseable {

    private final Path profile;
    private final ChromeDriver driver;

    public HeadlessChromium() throws IOException {
        File chromedriver = new File("/usr/bin/chromedriver");
        assertThat(chromedriver.canExecute())
                .as("Debian's chromium-driver at %s (apt-get install chromium chromium-driver; .ci/run does)", chromedriver).isTrue();
        profile = Files.createTempDirectory("fhb-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        // Headless, and quiet on a closed network: no background fetches, updates or sync.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-default-apps", "--user-data-dir=" + profile, "--window-size=1280,1000", "--hide-scrollbars");
        driver = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(chromedriver).build(), options);
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** The whole page at the window's width into {@code file}: the window grows to the page's height for the picture. */
    public void screenshot(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Dimension size = driver.manage().window().getSize();
        long height = (Long) ((JavascriptExecutor) driver).executeScript("window.scrollTo(0, 0); return document.documentElement.scrollHeight");
        driver.manage().window().setSize(new Dimension(size.getWidth(), (int) Math.min(height, 6000)));
        try {
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        } finally {
            driver.manage().window().setSize(size);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
