import { api } from "./api.js";

const form = document.getElementById("login");
const error = document.getElementById("login-error");
const key = document.getElementById("api_key");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.hidden = true;
  const username = document.getElementById("username").value.trim();
  try {
    await api("POST", "/api/auth/login", { username, api_key: key.value });
    location.assign("/");
  } catch (failure) {
    error.textContent = failure.status === 401
      ? "That username and API key do not match. Check the key and try again."
      : failure.message;
    error.hidden = false;
    key.select();
    key.focus();
  }
});
