import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, type HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * One access-log line per request. The route key (`POST /a/{token}`), never the path: the path of an action link
 * holds its token, which is a capability for a person's item, and logs are read more widely than the table.
 */
const accessLogFormat = JSON.stringify({
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationError: '$context.integrationErrorMessage',
});

export interface PublicApiProps {
  /** Steady requests per second across all routes, and the burst above it. */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
}

/**
 * The service's one public origin, an API Gateway HTTP API rather than Lambda Function URLs: the webhook and the
 * action links share one origin (the links' same-origin POST check and a custom domain need one host, not one per
 * function), the stage throttles every route (a Function URL has only reserved concurrency), requests are
 * access-logged, and HTTP APIs cost little at our volume.
 */
export class PublicApi extends Construct {
  readonly api: HttpApi;

  constructor(scope: Construct, id: string, props: PublicApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', {
      description: 'followthrough: notes webhook and action links',
      // The default stage is made below, with throttling and access logs, which HttpApi's own cannot take.
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(accessLogFormat),
      },
    });
  }

  /** `https://<id>.execute-api.<region>.amazonaws.com`, without a trailing slash. */
  get endpoint(): string {
    return this.api.apiEndpoint;
  }

  /**
   * Routes to a function. Neither route takes an API Gateway authorizer: each request carries its own proof,
   * checked by the function (see the acknowledgment).
   */
  addRoutes(id: string, fn: IFunction, routes: ReadonlyArray<{ path: string; methods: HttpMethod[] }>): void {
    const integration = new HttpLambdaIntegration(`${id}Integration`, fn);
    for (const { path, methods } of routes) {
      for (const route of this.api.addRoutes({ path, methods, integration })) {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'Public by design, authenticated in the function: the webhook verifies a Standard Webhooks HMAC signature over the body (5-minute tolerance), an action link carries an HMAC-signed, expiring token scoped to one item, and an unsubscribe link (RFC 8058 one-click, which mail providers POST without a login) one scoped to one person and one kind of digest. People act from their mail without a login.',
        });
      }
    }
  }
}
