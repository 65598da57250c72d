import { describe, expect, it } from 'vitest';
import { schedulerExpressionProblem, unixCronProblem } from '#lib/config/expressions.ts';

describe('schedulerExpressionProblem', () => {
  it.each([
    'cron(0 2 * * ? *)',
    'cron(0/15 8-18 ? * MON-FRI *)',
    'cron(30 7 ? * mon,wed,fri *)',
    'cron(0 0 L * ? *)',
    'cron(0 0 15W * ? *)',
    'cron(0 9 ? * 2#1 *)',
    'cron(0 9 ? * 6L 2030-2035)',
    'cron(5,35 */2 1-15 JAN-JUN ? *)',
    'rate(1 minute)',
    'rate(5 minutes)',
    'rate(1 hour)',
    'rate(6 hours)',
    'rate(1 day)',
    'rate(7 days)',
    'at(2030-02-28T07:00:00)',
    'at(2028-02-29T23:59:59)',
  ])('accepts %s', (expression) => {
    expect(schedulerExpressionProblem(expression)).toBeUndefined();
  });

  it.each([
    ['', /must be cron\(/],
    ['0 2 * * ? *', /must be cron\(/],
    ['CRON(0 2 * * ? *)', /must be cron\(/],
    ['cron(0 2 * * ?)', /6 fields/],
    ['cron(0 2 * * ? * *)', /6 fields/],
    ['cron( 0 2 * * ? *)', /no spaces just inside/],
    ['cron(0 2 * * * *)', /exactly one of day-of-month and day-of-week/],
    ['cron(0 2 ? * ? *)', /exactly one of day-of-month and day-of-week/],
    ['cron(60 2 * * ? *)', /minutes: '60'/],
    ['cron(0 24 * * ? *)', /hours: '24'/],
    ['cron(0 2 32 * ? *)', /day-of-month: '32'/],
    ['cron(0 2 * 13 ? *)', /month: '13'/],
    ['cron(0 2 ? * 8 *)', /day-of-week: '8'/],
    ['cron(0 2 ? * FUNDAY *)', /day-of-week: 'FUNDAY'/],
    ['cron(0 2 * * ? 1969)', /year: '1969'/],
    ['cron(0/0 2 * * ? *)', /step '0'/],
    ['cron(0 2 1,,2 * ? *)', /day-of-month: '' is not a value/],
    ['rate(1 hours)', /singular unit for 1/],
    ['rate(2 hour)', /plural above/],
    ['rate(0 minutes)', /whole number >= 1/],
    ['rate(05 minutes)', /whole number >= 1/],
    ['rate(1 week)', /minute\(s\), hour\(s\) or day\(s\)/],
    ['rate(1.5 hours)', /whole number/],
    ['at(2030-02-30T07:00:00)', /not a real date/],
    ['at(2030-01-01T24:00:00)', /not a real date/],
    ['at(2030-01-01 07:00:00)', /yyyy-mm-ddThh:mm:ss/],
  ])('refuses %j', (expression, message) => {
    expect(schedulerExpressionProblem(expression)).toMatch(message);
  });
});

describe('unixCronProblem', () => {
  it.each(['0 2 * * *', '15 */6 * * 1-5', '0 0 1,15 * 0', '59 23 31 12 7'])('accepts %s', (expression) => {
    expect(unixCronProblem(expression)).toBeUndefined();
  });

  it.each([
    ['0 2 * * ? *', /5 fields/],
    ['0 2 * *', /5 fields/],
    ['0 2 * * ?', /day-of-week: '\?'/],
    ['0 24 * * *', /hour: '24'/],
    ['0 2 0 * *', /day-of-month: '0'/],
    ['0 2 * JAN *', /month: 'JAN'/],
    ['*/30 * * * *', /at most one backup per hour/],
    ['0,30 * * * *', /at most one backup per hour/],
    ['00 2 * * *', /minute: '00'/],
  ])('refuses %j', (expression, message) => {
    expect(unixCronProblem(expression)).toMatch(message);
  });
});
