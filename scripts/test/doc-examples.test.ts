import { exampleBlocks, exampleScript, normalise, outputMatches, retarget, splitOutputs, transcriptSteps } from "../lib/docs/examples.mjs";

const doc = [
  "# T",
  "<!-- example-preamble -->",
  "```bash",
  "F=http://127.0.0.1:5001/x",
  "```",
  "text",
  "<!-- example: create -->",
  "```console",
  "$ curl -s $F/a \\",
  "    -d '{}'",
  '{"id":"r_0123456789abcdef","at":"2026-11-22T06:34:19.721Z"}',
  "# again",
  "$ echo hi",
  "hi",
  "```",
].join("\n");

describe("documentation examples", () => {
  it("finds the preamble and the transcripts, with their steps and shown outputs", () => {
    const blocks = exampleBlocks(doc);
    expect(blocks.map((b) => [b.kind, b.name, b.line])).toEqual([["preamble", "preamble", 4], ["example", "create", 9]]);
    expect(transcriptSteps(blocks[1].body)).toEqual([
      { command: "curl -s $F/a \\\n    -d '{}'", expected: ['{"id":"r_0123456789abcdef","at":"2026-11-22T06:34:19.721Z"}'] },
      { command: "echo hi", expected: ["hi"] },
    ]);
  });

  it("refuses a mark without a fence and output before any command", () => {
    expect(() => exampleBlocks("<!-- example: x -->\ntext")).toThrow("followed by a code fence");
    expect(() => transcriptSteps(["orphan"])).toThrow("output before any command");
  });

  it("splits a script's output back into one output per step", () => {
    const script = exampleScript(["A=1"], [{ command: "echo $A", expected: [] }, { command: "printf 'x\\ny'", expected: [] }]);
    expect(script).toContain("A=1\n");
    const fakeStdout = `\n@@imagegen-example-step@@\n1\n\n@@imagegen-example-step@@\nx\ny`;
    expect(splitOutputs(fakeStdout)).toEqual(["1", "x\ny"]);
  });

  it("compares outputs ignoring ids, times, cursors and signatures, with … matching anything", () => {
    expect(normalise('{"generationRequestId":"r_1d3eac19d0affc89","createdAt":"2026-11-21T21:44:56.156Z"}')).toBe('{"generationRequestId":"r_<id>","createdAt":"<time>"}');
    expect(outputMatches('{"id":"r_aaaaaaaa11","status":"queued"}', '{"id":"r_bbbbbbbb22","status":"queued"}')).toBe(true);
    expect(outputMatches('{"id":"r_aaaaaaaa11","status":"queued"}', '{"id":"r_bbbbbbbb22","status":"running"}')).toBe(false);
    expect(outputMatches('{"status":"succeeded",…,"cost":1}', '{"status":"succeeded","seed":4,"x":[1],"cost":1}')).toBe(true);
    expect(outputMatches('{"userId":"user_test1","n":"eyJ…"}', '{"userId":"t_abc","n":"eyJzz"}')).toBe(true);
    expect(outputMatches('{"a":1,…,"b":2}', '{"a":1,"b":2}')).toBe(true);
    expect(outputMatches('HTTP/1.1 429 Too Many Requests\nretry-after: …', 'HTTP/1.1 429 Too Many Requests\r\nretry-after: 12\r')).toBe(true);
    expect(outputMatches('{"keyId":"61b97336772c9c26","prefix":"sk_test_61b97336772c9c26"}', '{"keyId":"ffe8f097dde1b6cd","prefix":"sk_test_ffe8f097dde1b6cd"}')).toBe(true);
  });

  it("retargets hosts and emails for another stack", () => {
    expect(retarget(["curl http://127.0.0.1:5001/x user1@example.com"], [["127.0.0.1:5001", "127.0.0.1:14001"], ["user1@example.com", "t_1@test"]])).toEqual([
      "curl http://127.0.0.1:14001/x t_1@test",
    ]);
  });
});
