# bash completion for msgctl(1), the command line of the Sotto messenger.

_msgctl() {
  local cur prev words cword
  if declare -F _init_completion >/dev/null 2>&1; then
    _init_completion || return
  else
    COMPREPLY=()
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD - 1]}"
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  fi

  local commands="register login logout status send history inbox read watch online contacts fingerprint trust export relay"
  local global_opts="--json --socket --bus --timeout --version --help"

  case "$prev" in
    --socket | --output)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      return
      ;;
    --timeout | --wait-timeout | --limit | --before | --invite)
      return
      ;;
    --format)
      mapfile -t COMPREPLY < <(compgen -W "txt json" -- "$cur")
      return
      ;;
  esac

  # The sub-command is the first word that is neither an option nor an option's value.
  local command="" subcommand="" i
  for ((i = 1; i < cword; i++)); do
    case "${words[i]}" in
      --socket | --timeout) ((i++)) ;;
      -*) ;;
      *)
        if [[ -z "$command" ]]; then
          command="${words[i]}"
        elif [[ "$command" == relay && -z "$subcommand" ]]; then
          subcommand="${words[i]}"
        fi
        ;;
    esac
  done

  if [[ -z "$command" ]]; then
    if [[ "$cur" == -* ]]; then
      mapfile -t COMPREPLY < <(compgen -W "$global_opts" -- "$cur")
    else
      mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
    fi
    return
  fi

  local opts=""
  case "$command" in
    register) opts="--invite --password-stdin" ;;
    login) opts="--password-stdin" ;;
    send) opts="--wait --wait-timeout" ;;
    history) opts="--limit --before" ;;
    export) opts="--format --output --force" ;;
    relay)
      if [[ -z "$subcommand" && "$cur" != -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "forget" -- "$cur")
        return
      fi
      ;;
  esac
  if [[ "$cur" == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$opts --help --json --socket --bus --timeout" -- "$cur")
  fi
}

complete -F _msgctl msgctl
