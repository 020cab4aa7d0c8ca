import type { rules } from '@secretlint/secretlint-rule-preset-recommend';

/** A secretlint rule, typed as the preset's own (secretlint's types package is not a dependency of ours). */
type Rule = (typeof rules)[number];

/**
 * AWS access key ids, alone. The preset's aws rule finds them only with `enableIDScanRule`, which also runs its
 * account-id pattern: a regex that can start at any character, the costliest of the whole preset (a fifth of
 * the scan of a 100,000-line diff), for matches Bulwark drops (account ids are not secrets). This rule is that
 * option's access-key half, unchanged: the same pattern and the same built-in example key ignored.
 */
export const AWS_ACCESS_KEY_ID_RULE = 'bulwark/aws-access-key-id';

const PATTERN = /\b(A3T[A-Z0-9]|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA)[A-Z0-9]{16}\b/g;
/** AWS's documentation example, which the preset ignores too. */
const EXAMPLE = 'AKIAIOSFODNN7EXAMPLE';

const messages = {
  AWSAccessKeyID: {
    en: (props: { ID: string }) => `found AWS Access Key ID: ${props.ID}`,
  },
};

export const awsAccessKeyIdRule: Rule = {
  messages,
  meta: { id: AWS_ACCESS_KEY_ID_RULE, recommended: true, type: 'scanner', supportedContentTypes: ['text'] },
  create(context) {
    const t = context.createTranslator(messages);
    return {
      file(source) {
        for (const match of source.content.matchAll(PATTERN)) {
          if (match[0] === EXAMPLE) continue;
          context.report({ message: t('AWSAccessKeyID', { ID: match[0] }), range: [match.index, match.index + match[0].length] });
        }
      },
    };
  },
};
