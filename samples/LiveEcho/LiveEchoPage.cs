namespace LiveEcho;

/// <summary>The page served at <c>/</c>: one HTML document with its script and style inline, nothing fetched from elsewhere.</summary>
internal static class LiveEchoPage
{
    public const string Html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>LiveEcho</title>
        <style>
          body { font: 16px/1.4 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
          #status { color: #666; }
          #status.open { color: #080; }
          #send { display: flex; gap: .5rem; margin: 1rem 0; }
          #text { flex: 1; font: inherit; padding: .3rem; }
          #messages { padding-left: 1.2rem; }
          #messages .mine { font-weight: bold; }
        </style>
        </head>
        <body>
        <h1>LiveEcho</h1>
        <p>WebSocket: <span id="status">connecting…</span> · you are <span id="you">?</span> · server tick <span id="tick">0</span></p>
        <form id="send">
          <input id="text" autocomplete="off" maxlength="1000" placeholder="Say something to every open page" autofocus>
          <button id="send-button" type="submit">Send</button>
        </form>
        <ul id="messages"></ul>
        <script>
        "use strict";
        const state = document.getElementById("status");
        const you = document.getElementById("you");
        const tick = document.getElementById("tick");
        const form = document.getElementById("send");
        const text = document.getElementById("text");
        const messages = document.getElementById("messages");
        let myId = null;

        // Back to the server that served this page, whatever host name and port the browser used.
        const socket = new WebSocket(`ws://${location.host}/ws`);
        socket.addEventListener("open", () => {
          state.textContent = "open";
          state.className = "open";
        });
        socket.addEventListener("close", event => {
          state.textContent = `closed (${event.code}${event.reason ? ": " + event.reason : ""}); reload to reconnect`;
          state.className = "";
        });
        socket.addEventListener("message", event => {
          const message = JSON.parse(event.data);
          switch (message.type) {
            case "welcome":
              myId = message.you;
              you.textContent = `#${myId}`;
              break;
            case "tick":
              tick.textContent = String(message.n);
              break;
            case "message": {
              const item = document.createElement("li");
              item.textContent = `#${message.from}: ${message.text}`;   // text, never HTML
              if (message.from === myId) item.className = "mine";
              messages.append(item);
              while (messages.children.length > 200) messages.firstElementChild.remove();
              break;
            }
          }
        });

        form.addEventListener("submit", event => {
          event.preventDefault();
          if (text.value === "" || socket.readyState !== WebSocket.OPEN) return;
          socket.send(text.value);   // shown when the server's broadcast comes back, like everyone else's
          text.value = "";
        });
        </script>
        </body>
        </html>
        """;
}
