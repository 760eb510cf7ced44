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

  local commands="register login logout status send send-file history inbox read files save cancel watch online contacts fingerprint trust export broadcast group relay"
  local global_opts="--json --socket --bus --timeout --version --help"

  case "$prev" in
    --socket | --output)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      return
      ;;
    --timeout | --wait-timeout | --limit | --before | --invite | --caption)
      return
      ;;
    --format)
      mapfile -t COMPREPLY < <(compgen -W "txt json" -- "$cur")
      return
      ;;
  esac

  # The sub-command is the first word that is neither an option nor an option's value.
  local command="" subcommand="" i i_command=0
  for ((i = 1; i < cword; i++)); do
    case "${words[i]}" in
      --socket | --timeout) ((i++)) ;;
      -*) ;;
      *)
        if [[ -z "$command" ]]; then
          command="${words[i]}"
          i_command=$i
        elif [[ ("$command" == relay || "$command" == group) && -z "$subcommand" ]]; then
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

  # The operands after the command: send-file's second one is a file.
  local operands=0
  for ((i = i_command + 1; i < cword; i++)); do
    case "${words[i]}" in
      --socket | --timeout | --wait-timeout | --caption | --output) ((i++)) ;;
      -*) ;;
      *) ((operands++)) ;;
    esac
  done

  local opts=""
  case "$command" in
    register) opts="--invite --password-stdin" ;;
    login) opts="--password-stdin" ;;
    send) opts="--wait --wait-timeout" ;;
    send-file)
      opts="--caption --wait --wait-timeout"
      if [[ "$cur" != -* && $operands -eq 1 ]]; then
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        return
      fi
      ;;
    save) opts="--output" ;;
    history) opts="--limit --before" ;;
    export) opts="--format --output --force" ;;
    broadcast) opts="--online" ;;
    group)
      if [[ -z "$subcommand" && "$cur" != -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "create add remove leave list members rename" -- "$cur")
        return
      fi
      ;;
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
