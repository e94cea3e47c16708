import { synthStack } from './helpers.js';
const s = synthStack('prod', { domain: { domainName: 'api.example.com', certificateArn: 'arn:aws:acm:ap-east-1:123456789012:certificate/abc' }, alarmEmail: 'ops@example.com' });
const tpl = s.template.toJSON();
for (const [id, r] of Object.entries<any>(tpl.Resources)) { if (!['AWS::CloudWatch::Alarm'].includes(r.Type) || id.includes('TableThrottles')) console.log(id, JSON.stringify(r, null, 1)); }
console.log(JSON.stringify(tpl.Outputs, null, 1));
