import { App } from 'aws-cdk-lib';
import { addBroadsheet } from './broadsheet-app.ts';

const app = new App();
addBroadsheet(app);
app.synth();
