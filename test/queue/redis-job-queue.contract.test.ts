/**
 * The JobQueue contract on the Redis backend (BullMQ), against the real Redis
 * on 127.0.0.1:6379; each test works under its own key prefix.
 */
import { beforeAll } from 'vitest';
import { requireRedis } from '../helpers/redis.js';
import { describeJobQueueContract } from './job-queue-contract.js';
import { redisFixture } from './queue-fixtures.js';

// Fails every test of this file, loudly, when Redis is not there.
beforeAll(() => requireRedis());

describeJobQueueContract('RedisJobQueue', redisFixture);
