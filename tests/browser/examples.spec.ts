// Example notebooks show correct numbers, computed the same way as lib/capacity in Node.
import { catalogueSpec, plan } from '../../lib/capacity/index.ts';
import { expect, screenshot, settle, test } from './fixtures.ts';

const GiB = 2 ** 30;

function expected70b(contextTokens: number, kv: string) {
  return plan({
    model: catalogueSpec('llama-3.1-70b'),
    weights: 'Q4_K_M',
    kv,
    contextTokens,
    batch: 1,
    engine: 'llama.cpp',
    devices: ['rtx-3090', 'rtx-4090', 'a100-80gb-sxm'],
    gpus: 2,
    parallelism: 'tensor',
  });
}

test('the home page lists the examples', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('examples').getByRole('link')).toHaveCount(4);
  await screenshot(page, 'home');
});

test('the 70B example shows the per-device memory lib/capacity computes', async ({ page }) => {
  await page.goto('/notebook/?example=fit-70b');
  expect(await settle(page)).toEqual([
    'markdown:idle',
    'plan:done',
    'markdown:idle',
    'plan:done',
    'code:done',
  ]);
  const want = expected70b(32768, 'f16');
  const plan70b = page.getByTestId('cell').nth(1);
  await expect(plan70b.getByTestId('plan-per-device-bytes')).toHaveAttribute(
    'data-raw',
    String(want.memory.perDeviceBytes),
  );
  await expect(plan70b.getByTestId('plan-verdict')).toContainText(
    want.fit[0]?.fits ? 'Fits' : 'Does not fit',
  );
  const headroom = (want.fit[0]?.marginBytes ?? NaN) / GiB;
  await expect(page.locator('[data-testid=code-output][data-label=headroomGiB]')).toContainText(
    String(Number(headroom.toPrecision(6))),
  );
  await screenshot(page, 'notebook-fit-70b');
});

test('every example runs without an error cell or a type error', async ({ page }) => {
  for (const slug of ['fit-70b', 'moe-resident-active', 'mla-vs-gqa', 'flat-memory-curves']) {
    await page.goto(`/notebook/?example=${slug}`);
    const states = await settle(page);
    expect(states.filter((s) => !s.endsWith(':done') && !s.endsWith(':idle'))).toEqual([]);
    await page.locator('.monaco-editor').first().waitFor();
    await page.waitForTimeout(3000);
    await expect(page.getByTestId('code-problems')).toHaveCount(0);
    await expect(page.locator('body')).not.toContainText('NaN');
    await screenshot(page, `notebook-${slug}`);
  }
});

test('editing a plan cell re-runs the cells that depend on it', async ({ page }) => {
  await page.goto('/notebook/?example=fit-70b');
  await settle(page);
  const plan70b = page.getByTestId('cell').nth(1);
  await plan70b.getByTestId('plan-context').fill('8192');
  const want = expected70b(8192, 'f16').memory.kvBytes / GiB;
  await expect(page.locator('[data-testid=code-output][data-label=kvF16GiB]')).toContainText(
    `kvF16GiB = ${Number(want.toPrecision(6))}`,
  );
  await expect(plan70b.getByTestId('plan-kv-bytes')).toHaveAttribute(
    'data-raw',
    String(expected70b(8192, 'f16').memory.kvBytes),
  );
});

test('adding and removing a device to compare changes the per-device table', async ({ page }) => {
  await page.goto('/notebook/?example=moe-resident-active');
  await settle(page);
  const plan = page.locator('[data-testid=cell][data-kind=plan]');
  const rows = plan.getByTestId('plan-fits').locator('tbody tr');
  await expect(rows).toHaveCount(3);
  await plan.getByTestId('plan-compare').selectOption('h200');
  await expect(rows).toHaveCount(4);
  await expect(plan.getByTestId('plan-fits').locator('tr[data-device=h200]')).toBeVisible();
  await plan.getByRole('button', { name: /stop comparing .*RTX 4090/ }).click();
  await expect(rows).toHaveCount(3);
  await expect(plan.getByTestId('max-context-table').locator('tbody tr')).toHaveCount(3);
});

test('a numeric table from a code cell is also drawn as a chart', async ({ page }) => {
  await page.goto('/notebook/?example=flat-memory-curves');
  await settle(page);
  const output = page.locator('[data-testid=code-output][data-label=curve]');
  await expect(output.locator('table.grid tbody tr')).toHaveCount(4);
  await expect(output.getByRole('img', { name: 'chart of the table above' })).toBeVisible();
  await expect(output.locator('canvas')).toHaveCount(1);
  await screenshot(page, 'code-cell-chart');
});

test('the MLA example compares one KV copy and the per-GPU share, explaining vLLM', async ({
  page,
}) => {
  const vllm8 = (id: string) =>
    plan({
      model: catalogueSpec(id),
      weights: 'fp8',
      kv: 'f16',
      contextTokens: 131072,
      batch: 1,
      engine: 'vllm',
      devices: ['h200'],
      gpus: 8,
      parallelism: 'tensor',
    });
  const deepseek = vllm8('deepseek-v3');
  const llama = vllm8('llama-3.1-70b');
  // 61 layers x 576 x 2 B against 80 layers x 2 x 8 heads x 128 x 2 B, per token.
  expect([deepseek.kv.bytesPerToken, llama.kv.bytesPerToken]).toEqual([70_272, 327_680]);
  const oneCopy = [70_272, 327_680].map((bytes) => (bytes * 131072) / GiB); // [8.578125, 40]
  const perGpu = [deepseek, llama].map((p) => p.memory.kvBytes / 8 / GiB); // [8.578125, 5]
  expect(oneCopy).toEqual([8.578125, 40]);
  expect(perGpu).toEqual([8.578125, 5]);

  await page.goto('/notebook/?example=mla-vs-gqa');
  await settle(page);
  const shown = async (label: string) => {
    const output = page.locator(`[data-testid=code-output][data-label=${label}]`);
    return (await output.innerText()).replace(/\s+/g, '');
  };
  await expect
    .poll(() => shown('kvOneCopyAt128kGiB'))
    .toBe(`kvOneCopyAt128kGiB=[${oneCopy.join(',')}]`);
  await expect
    .poll(() => shown('kvPerGpuAt128kGiB'))
    .toBe(`kvPerGpuAt128kGiB=[${perGpu.join(',')}]`);
  const text = page.locator('[data-testid=cell][data-kind=markdown]').last();
  await expect(text).toContainText('MLA wins by 4.7x');
  await expect(text).toContainText('every one of the 8 ranks keeps the whole latent');
  await expect(text).toContainText('llama.cpp, which keeps one latent copy');
});
