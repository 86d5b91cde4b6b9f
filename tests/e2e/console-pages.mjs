// Moving around the staff console in Chromium: sign in and out, open a menu page, take a settled screenshot.
import path from 'node:path';
import { artifacts, delay } from './support.mjs';

export function consolePages(baseUrl) {
  async function shot(page, name) {
    // Pointer off the menu (no tooltip), page at its top, antd's fades and the menu highlight settled.
    const size = page.viewportSize();
    if (size) await page.mouse.move(size.width - 4, size.height - 4);
    await page.evaluate(() => window.scrollTo(0, 0));
    await delay(400);
    await page.screenshot({ path: path.join(artifacts, `console-${name}.png`) });
  }

  /** Fills in and sends the 登录 form on the page as it is (no navigation, no wait for the answer). */
  async function submitLogin(page, who) {
    await page.fill('#login-username', who.username);
    await page.fill('#login-password', who.password);
    await page.click('#login-submit');
  }

  async function login(page, who) {
    await page.goto(`${baseUrl}/console/login`);
    await submitLogin(page, who);
    await page.locator('#staff-menu').waitFor({ timeout: 15_000 });
    await page.locator('h2.page-title', { hasText: '工作台' }).waitFor();
  }

  async function logout(page) {
    await page.click('#staff-menu');
    await page.getByText('退出登录', { exact: true }).click();
    await page.locator('#login-username').waitFor({ timeout: 10_000 });
  }

  async function openPage(page, label) {
    await page.locator('.ant-menu-item', { hasText: label }).click();
    await page.locator('h2.page-title', { hasText: label }).waitFor({ timeout: 15_000 });
  }

  return { shot, submitLogin, login, logout, openPage };
}
