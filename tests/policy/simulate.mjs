// Evaluates IAM requests offline with @cloud-copilot/iam-simulate: reads a JSON array of
// simulations (the package's `Simulation` shape) on stdin and prints, for each, its overall
// result (`Allowed`, `ExplicitlyDenied`, `ImplicitlyDenied`) or `error: …` when the simulator
// refused the input. The tests decide what each result must be.
import { runSimulation } from '@cloud-copilot/iam-simulate'

const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const simulations = JSON.parse(Buffer.concat(chunks).toString('utf8'))
const results = []
for (const simulation of simulations) {
  const response = await runSimulation(simulation, {})
  results.push(
    response.resultType === 'error'
      ? `error: ${JSON.stringify(response.errors)}`
      : response.overallResult
  )
}
process.stdout.write(JSON.stringify(results))
