import { describe, expect, it } from 'vitest'
import { NetworkRefused, offlineLoader } from './vegaChart'

describe('the chart loader', () => {
  it('refuses every network and file access', async () => {
    const loader = offlineLoader()
    await expect(loader.load('https://data.example/elever.csv')).rejects.toBeInstanceOf(NetworkRefused)
    await expect(loader.http('https://data.example/elever.csv', {})).rejects.toBeInstanceOf(NetworkRefused)
    await expect(loader.file('/etc/passwd')).rejects.toBeInstanceOf(NetworkRefused)
    await expect(loader.sanitize('https://tracker.example/p.png', { context: 'href' })).rejects.toBeInstanceOf(NetworkRefused)
  })
})
