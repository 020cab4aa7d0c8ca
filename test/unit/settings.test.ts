import { describe, expect, it } from 'vitest';
import { readSettings, SettingsError } from '../../src/config/env.js';

describe('readSettings', () => {
  it('gives the documented defaults', () => {
    const settings = readSettings({});
    expect(settings.provider).toBe('anthropic');
    expect(settings.model.default).toBe('claude-sonnet-5-5');
    expect(settings.chunkTokens).toBe(80_000);
    expect(settings.maxInputTokens).toBe(400_000);
    expect(settings.checkName).toBe('Bulwark');
    expect(settings.redisUrl).toBeUndefined();
  });

  it('limits spend by default: a daily token budget per installation and automatic full reviews per pull request', () => {
    const settings = readSettings({});
    expect(settings.dailyBudget).toEqual({ tokens: 20_000_000, usd: undefined, autoReviewsPerPullRequest: 3 });
  });

  it('turns a daily limit off with 0, and refuses a negative one', () => {
    expect(readSettings({ BULWARK_DAILY_TOKEN_BUDGET: '0', BULWARK_PR_DAILY_AUTO_REVIEWS: '0' }).dailyBudget).toEqual({
      tokens: undefined,
      usd: undefined,
      autoReviewsPerPullRequest: undefined,
    });
    expect(readSettings({ BULWARK_DAILY_TOKEN_BUDGET: '5000', BULWARK_PR_DAILY_AUTO_REVIEWS: '1' }).dailyBudget).toMatchObject({ tokens: 5000, autoReviewsPerPullRequest: 1 });
    expect(() => readSettings({ BULWARK_PR_DAILY_AUTO_REVIEWS: '-1' })).toThrow(/BULWARK_PR_DAILY_AUTO_REVIEWS/);
  });

  it('caps running reviews at 2 per repository by default and none per installation; 0 turns a cap off, a negative one is refused', () => {
    expect(readSettings({}).caps).toEqual({ perRepository: 2, perInstallation: 0 });
    expect(readSettings({ BULWARK_MAX_RUNNING_PER_REPO: '0', BULWARK_MAX_RUNNING_PER_INSTALLATION: '6' }).caps).toEqual({ perRepository: 0, perInstallation: 6 });
    expect(() => readSettings({ BULWARK_MAX_RUNNING_PER_REPO: '-1', BULWARK_MAX_RUNNING_PER_INSTALLATION: 'many' })).toThrow(/BULWARK_MAX_RUNNING_PER_REPO[\s\S]*BULWARK_MAX_RUNNING_PER_INSTALLATION/);
  });

  it('lists every invalid setting at once', () => {
    const error = (() => {
      try {
        readSettings({ BULWARK_CHUNK_TOKENS: 'lots', BULWARK_MODEL_CONCURRENCY: '-1', ANTHROPIC_BASE_URL: 'not a url' });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(SettingsError);
    const problems = (error as SettingsError).problems.join('\n');
    expect(problems).toContain('BULWARK_CHUNK_TOKENS');
    expect(problems).toContain('BULWARK_MODEL_CONCURRENCY');
    expect(problems).toContain('ANTHROPIC_BASE_URL');
  });

  it('serves BULWARK_PROVIDER=bedrock and vertex with their region, project, base URL and model map', () => {
    const bedrock = readSettings({ BULWARK_PROVIDER: 'bedrock', AWS_REGION: 'eu-west-1', BULWARK_BEDROCK_INFERENCE_PROFILE: 'eu', BULWARK_MODEL_MAP: '{"claude-sonnet-5-5":"arn:aws:bedrock:eu-west-1:1:inference-profile/x"}' });
    expect(bedrock.provider).toBe('bedrock');
    expect(bedrock.providers.bedrock).toEqual({ region: 'eu-west-1', baseUrl: undefined, inferenceProfile: 'eu' });
    expect(bedrock.providers.modelMap).toEqual({ 'claude-sonnet-5-5': 'arn:aws:bedrock:eu-west-1:1:inference-profile/x' });
    const vertex = readSettings({ BULWARK_PROVIDER: 'vertex', CLOUD_ML_REGION: 'us-east5', ANTHROPIC_VERTEX_PROJECT_ID: 'p1', BULWARK_STRUCTURED_OUTPUTS: 'off' });
    expect(vertex.providers.vertex).toEqual({ region: 'us-east5', projectId: 'p1', baseUrl: undefined });
    expect(vertex.providers.structuredOutputs).toBe(false);
    expect(readSettings({}).providers.structuredOutputs).toBe(true);
  });

  it('refuses an unknown provider by name', () => {
    expect(() => readSettings({ BULWARK_PROVIDER: 'openai' })).toThrow(/BULWARK_PROVIDER/);
  });
});

describe('readSettings with several problems', () => {
  it('lists a Vertex setup without its region together with the other problems', () => {
    try {
      readSettings({ BULWARK_PROVIDER: 'vertex', BULWARK_CHUNK_TOKENS: 'x' });
      expect.fail('expected a SettingsError');
    } catch (error) {
      expect((error as SettingsError).problems).toHaveLength(2);
    }
  });
});
