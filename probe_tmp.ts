import { chromium } from "playwright-core";
const t0 = performance.now();
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
console.log("launched", performance.now() - t0);
const page = await browser.newPage();
await page.setContent("<h1 id=x>hi</h1><script>window.v=42</script>");
console.log(await page.evaluate(() => (globalThis as any).v), await page.textContent("#x"));
await browser.close();
console.log("closed");
