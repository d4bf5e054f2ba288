import { CfnOutput } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { ReceiptRuleSet, TlsPolicy } from 'aws-cdk-lib/aws-ses';
import { Lambda as LambdaAction, LambdaInvocationType } from 'aws-cdk-lib/aws-ses-actions';
import type { Construct } from 'constructs';

export interface InboundMailProps {
  /** UNSUBSCRIBE_MAILBOX: the address in every `List-Unsubscribe: <mailto:…>`. */
  mailbox: string;
  inboundUnsubscribe: IFunction;
}

/**
 * SES receiving for the unsubscribe mailbox: one receipt rule, for that address only, scanning for
 * spam and viruses and handing the mail's headers to inbound-unsubscribe (an asynchronous invocation,
 * retried by Lambda). SES delivers here only once the domain's MX record points at SES and this rule
 * set is the active one (see docs/deploy.md).
 */
export function addInboundMail(scope: Construct, props: InboundMailProps): ReceiptRuleSet {
  const ruleSet = new ReceiptRuleSet(scope, 'InboundMailRuleSet', {
    rules: [
      {
        recipients: [props.mailbox],
        scanEnabled: true,
        tlsPolicy: TlsPolicy.OPTIONAL,
        actions: [
          new LambdaAction({
            function: props.inboundUnsubscribe,
            invocationType: LambdaInvocationType.EVENT,
          }),
        ],
      },
    ],
  });
  new CfnOutput(scope, 'InboundMailRuleSetName', {
    value: ruleSet.receiptRuleSetName,
    description: 'Make it active once: aws ses set-active-receipt-rule-set --rule-set-name <this>',
  });
  return ruleSet;
}
