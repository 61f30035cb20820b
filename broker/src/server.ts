// The broker's one entry point.
import { runService } from '@tributary/core';
import { createBroker } from './broker.js';

runService('broker', createBroker);
