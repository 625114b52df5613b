/** The JobQueue contract on the embedded backend (files in a temporary spool). */
import { describeJobQueueContract } from './job-queue-contract.js';
import { fileFixture } from './queue-fixtures.js';

describeJobQueueContract('FileJobQueue', fileFixture);
